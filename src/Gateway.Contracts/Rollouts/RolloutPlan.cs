using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>A rollout plan: the steps, the metrics that judge each step, and what an inconclusive step does.</summary>
public sealed record RolloutPlan
{
    [JsonPropertyName("steps")]
    public IReadOnlyList<RolloutPlanStep>? Steps { get; init; }

    [JsonPropertyName("metrics")]
    public IReadOnlyList<RolloutMetricSpec>? Metrics { get; init; }

    /// <summary><c>pause</c> (default: wait for a human) or <c>continue</c> (advance anyway) when a step ends without a conclusion.</summary>
    [JsonPropertyName("on_inconclusive")]
    public string? OnInconclusive { get; init; }

    /// <summary>
    /// Each arm's sampling rate while the rollout runs (default 1 for both: every request is a reading, as the default
    /// plan is calibrated). Left out of the stored JSON when absent.
    /// </summary>
    [JsonPropertyName("sampling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RolloutSampling? Sampling { get; init; }
}
