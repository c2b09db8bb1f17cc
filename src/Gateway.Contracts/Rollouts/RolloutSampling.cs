using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>
/// A rollout's sampling of its two arms while it runs: the plan's <c>sampling</c> (each rate left out is 1, every
/// request), and, resolved, the rollout's <c>sampling</c> and the release's <c>rollout_sampling</c>. Rates are fractions
/// greater than 0 and at most 1; each arm is sampled at the higher of this rate and its usual one.
/// </summary>
public sealed record RolloutSampling
{
    [JsonPropertyName("stable")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Stable { get; init; }

    [JsonPropertyName("canary")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Canary { get; init; }
}
