using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>One arm's reading of one metric over the analysis window.</summary>
public sealed record RolloutArmReading
{
    [JsonPropertyName("count")]
    public long Count { get; init; }

    /// <summary>The arm's mean; absent for a quantile metric.</summary>
    [JsonPropertyName("mean")]
    public double? Mean { get; init; }

    /// <summary>For a quantile metric (<c>latency_ms.p95</c>), the arm's quantile (to within its histogram bucket, about 4%).</summary>
    [JsonPropertyName("quantile")]
    public double? Quantile { get; init; }
}
