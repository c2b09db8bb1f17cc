using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>
/// One metric's evidence at one evaluation: both arms on the same window, the difference (canary − stable, or
/// relative) with its anytime-valid interval, the statistic and the threshold, and the verdict:
/// <c>harmful</c>, <c>acceptable</c> or <c>inconclusive</c>.
/// </summary>
public sealed record RolloutMetricVerdict
{
    [JsonPropertyName("metric")]
    public required string Metric { get; init; }

    [JsonPropertyName("stable")]
    public required RolloutArmReading Stable { get; init; }

    [JsonPropertyName("canary")]
    public required RolloutArmReading Canary { get; init; }

    [JsonPropertyName("difference")]
    public double? Difference { get; init; }

    [JsonPropertyName("ci_low")]
    public double? CiLow { get; init; }

    [JsonPropertyName("ci_high")]
    public double? CiHigh { get; init; }

    [JsonPropertyName("statistic")]
    public double? Statistic { get; init; }

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; }

    [JsonPropertyName("relative")]
    public bool Relative { get; init; }

    [JsonPropertyName("verdict")]
    public required string Verdict { get; init; }
}
