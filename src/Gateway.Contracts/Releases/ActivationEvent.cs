using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Releases;

/// <summary>
/// One append-only entry of a prompt's activation history (<c>GET /admin/v1/prompts/{name}/history</c>): a
/// release change, or a version's creation or approval (no environment). Release events carry the whole stored
/// release before and after, so "what was active at T" is the <see cref="After"/> of the last event at or before T.
/// </summary>
public sealed record ActivationEvent
{
    /// <summary><c>evt_</c> and 32 hex digits, time-ordered.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    /// <summary>Null for a version's creation or approval, which no environment owns.</summary>
    [JsonPropertyName("environment")]
    public string? Environment { get; init; }

    /// <summary><c>create</c>, <c>approve</c>, <c>release-set</c>, <c>canary-start</c>, <c>canary-weight</c>, <c>promote</c>, <c>rollback</c>, <c>abort</c>, <c>sampling-set</c> or <c>external-change</c>.</summary>
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

    /// <summary>Any JSON object the caller attached (metrics, an eval run id), merged with the release gate's own.</summary>
    [JsonPropertyName("evidence")]
    public JsonElement? Evidence { get; init; }
}
