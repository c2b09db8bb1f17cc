using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>The controller's latest look at the current step.</summary>
public sealed record RolloutEvaluation
{
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    /// <summary><c>continue</c>, <c>advance</c>, <c>promote</c>, <c>abort</c> or <c>pause</c>.</summary>
    [JsonPropertyName("decision")]
    public required string Decision { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("metrics")]
    public IReadOnlyList<RolloutMetricVerdict> Metrics { get; init; } = [];

    /// <summary>A weight step's distinct users or sessions per arm; null on a shadow step (paired per request).</summary>
    [JsonPropertyName("units")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RolloutUnitCounts? Units { get; init; }
}
