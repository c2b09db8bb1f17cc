using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>One arm's reading of one metric over the analysis window.</summary>
public sealed record RolloutArmReading
{
    [JsonPropertyName("count")]
    public long Count { get; init; }

    [JsonPropertyName("mean")]
    public double? Mean { get; init; }
}
