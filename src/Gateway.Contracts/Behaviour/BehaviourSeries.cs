using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary>One metric of one group (a version, an arm, or both, as asked by <c>groupBy</c>) over time.</summary>
public sealed record BehaviourSeries
{
    [JsonPropertyName("metric")]
    public required string Metric { get; init; }

    /// <summary><c>rate</c> (each value is 0 or 1: the mean is a share) or <c>value</c> (tokens, USD, ms, a score).</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>Null when the series is not grouped by version.</summary>
    [JsonPropertyName("version")]
    public int? Version { get; init; }

    /// <summary><c>stable</c> or <c>canary</c>; null when the series is not grouped by variant.</summary>
    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    /// <summary>One point per step from <c>from</c> to <c>to</c>, empty buckets included (count 0).</summary>
    [JsonPropertyName("points")]
    public IReadOnlyList<BehaviourPoint> Points { get; init; } = [];

    /// <summary>The whole window in one bucket (its <c>at</c> is the window's start).</summary>
    [JsonPropertyName("total")]
    public required BehaviourPoint Total { get; init; }
}
