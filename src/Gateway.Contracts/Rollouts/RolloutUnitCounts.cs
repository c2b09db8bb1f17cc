using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>
/// A weight step's distinct assignment units (users or sessions; the gateway key for clients that send neither) per arm
/// over the analysis window, and how many each arm needs (the step's <c>min_units</c>). Counted by HyperLogLog: within
/// about 1%.
/// </summary>
public sealed record RolloutUnitCounts
{
    [JsonPropertyName("stable")]
    public long Stable { get; init; }

    [JsonPropertyName("canary")]
    public long Canary { get; init; }

    [JsonPropertyName("required")]
    public long Required { get; init; }
}
