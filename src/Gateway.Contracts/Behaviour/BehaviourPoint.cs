using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary>
/// One time bucket of one behaviour series: how many sampled responses were scored, and what they scored.
/// <see cref="Mean"/> is the mean value (for a rate metric such as <c>refusal</c>, the share of samples where the
/// event happened); <see cref="PassRatio"/> is passes / (passes + fails). Scorer errors count in
/// <see cref="Errors"/> only: an error is never a pass and never a value.
/// </summary>
public sealed record BehaviourPoint
{
    /// <summary>The bucket's start (UTC).</summary>
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    /// <summary>Samples that produced a value (errors excluded).</summary>
    [JsonPropertyName("count")]
    public long Count { get; init; }

    [JsonPropertyName("passes")]
    public long Passes { get; init; }

    [JsonPropertyName("fails")]
    public long Fails { get; init; }

    /// <summary>Samples the scorer could not score (a judge failure, a bad schema…).</summary>
    [JsonPropertyName("errors")]
    public long Errors { get; init; }

    /// <summary>Null when <see cref="Count"/> is 0.</summary>
    [JsonPropertyName("mean")]
    public double? Mean { get; init; }

    /// <summary>Sample standard deviation of the values; null under two values.</summary>
    [JsonPropertyName("stddev")]
    public double? StdDev { get; init; }

    /// <summary>Null when nothing passed or failed.</summary>
    [JsonPropertyName("pass_ratio")]
    public double? PassRatio { get; init; }
}
