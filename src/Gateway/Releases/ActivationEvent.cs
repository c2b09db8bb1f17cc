using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Releases;

/// <summary>
/// One append-only entry of a prompt's activation history. Release events carry the whole
/// release before and after, so "what was active at T" is the <see cref="After"/> of the last
/// event at or before T.
/// </summary>
internal sealed record ActivationEvent
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("environment")]
    public string? Environment { get; init; }

    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("actor")]
    public required string Actor { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("version")]
    public int? Version { get; init; }

    [JsonPropertyName("before")]
    public ReleaseRecord? Before { get; init; }

    [JsonPropertyName("after")]
    public ReleaseRecord? After { get; init; }

    [JsonPropertyName("evidence")]
    public JsonElement? Evidence { get; init; }

    public static string NewId() => "evt_" + Guid.CreateVersion7().ToString("N");

    public static ActivationEvent ForVersion(string action, string prompt, string actor, string? reason, DateTimeOffset at) => new()
    {
        Id = NewId(),
        At = at,
        Prompt = prompt,
        Action = action,
        Actor = actor,
        Reason = reason,
    };
}
