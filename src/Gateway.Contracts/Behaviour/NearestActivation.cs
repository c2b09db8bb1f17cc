using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary>The activation-history event nearest before a detected change: what most likely caused it.</summary>
public sealed record NearestActivation
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    /// <summary><c>release-set</c>, <c>canary-start</c>, <c>canary-weight</c>, <c>promote</c>, <c>rollback</c>, <c>abort</c>, <c>external-change</c>…</summary>
    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("actor")]
    public required string Actor { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("version")]
    public int? Version { get; init; }

    /// <summary>How long before the change's window began (seconds; 0 when inside the window).</summary>
    [JsonPropertyName("seconds_before")]
    public double SecondsBefore { get; init; }
}
