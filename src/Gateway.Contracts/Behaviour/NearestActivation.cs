using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary>
/// The activation-history event nearest to a detected change: what most likely caused it. The change's minute is an
/// estimate, so the event can be a little after it (<see cref="SecondsAfter"/>) as well as before or inside it.
/// </summary>
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

    /// <summary>How long before the change's window began (seconds; 0 when inside or after the window).</summary>
    [JsonPropertyName("seconds_before")]
    public double SecondsBefore { get; init; }

    /// <summary>How long after the change's window ended (seconds; 0 when before or inside the window).</summary>
    [JsonPropertyName("seconds_after")]
    public double SecondsAfter { get; init; }
}
