using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary>
/// One arm's own level either side of a change's boundary. The change's before and after are over every arm's samples
/// together, in proportion to their sampling (a canary sampled at 20% and served to 10% of traffic weighs more there
/// than its users do); these say which arm moved, and by how much.
/// </summary>
public sealed record BehaviourChangeArm
{
    [JsonPropertyName("version")]
    public int Version { get; init; }

    /// <summary><c>stable</c>, <c>canary</c>, <c>pinned</c>…</summary>
    [JsonPropertyName("variant")]
    public required string Variant { get; init; }

    /// <summary>The arm's mean before the boundary; null when it had no samples then.</summary>
    [JsonPropertyName("before")]
    public double? Before { get; init; }

    /// <summary>The arm's mean from the boundary on; null when it had no samples then.</summary>
    [JsonPropertyName("after")]
    public double? After { get; init; }

    [JsonPropertyName("samples_before")]
    public long SamplesBefore { get; init; }

    [JsonPropertyName("samples_after")]
    public long SamplesAfter { get; init; }
}
