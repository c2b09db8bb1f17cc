using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>
/// A metric the controller judges, canary against stable on the same window: its series (a behaviour metric:
/// <c>error</c>, <c>refusal</c>, <c>latency_ms</c>, <c>ttft_ms</c>, <c>cost_usd</c>, <c>output_tokens</c>, or a bundle's
/// online-eval metric), which way is better, the largest acceptable degradation, and whether it may abort or only pause.
/// </summary>
public sealed record RolloutMetricSpec
{
    [JsonPropertyName("metric")]
    public string? Metric { get; init; }

    /// <summary><c>lower</c> (errors, cost, latency) or <c>higher</c> (pass rates, scores) is better.</summary>
    [JsonPropertyName("direction")]
    public string? Direction { get; init; }

    /// <summary>The largest acceptable degradation (&gt; 0): absolute (0.02 = 2 points of a rate) or, with <see cref="Relative"/>, a fraction of the stable arm's mean (0.2 = 20%).</summary>
    [JsonPropertyName("threshold")]
    public double? Threshold { get; init; }

    [JsonPropertyName("relative")]
    public bool? Relative { get; init; }

    /// <summary>True (default): a proven degradation aborts the rollout. False: it pauses for a human.</summary>
    [JsonPropertyName("abort")]
    public bool? Abort { get; init; }
}
