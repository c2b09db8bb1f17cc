using System.Text.Json.Serialization;

namespace LlmGateway.EvalRuns;

/// <summary>One metric's comparison, as the evaluation engine reported it.</summary>
internal sealed record EvalRunMetric
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("baseline")]
    public double? Baseline { get; init; }

    [JsonPropertyName("candidate")]
    public double? Candidate { get; init; }

    [JsonPropertyName("delta")]
    public double? Delta { get; init; }

    [JsonPropertyName("ci_low")]
    public double? CiLow { get; init; }

    [JsonPropertyName("ci_high")]
    public double? CiHigh { get; init; }

    /// <summary>The engine's metric verdict: <c>unchanged</c>, <c>improved</c>, <c>regressed</c>, <c>inconclusive</c>.</summary>
    [JsonPropertyName("verdict")]
    public string? Verdict { get; init; }

    [JsonPropertyName("n")]
    public int? N { get; init; }

    [JsonPropertyName("gated")]
    public bool Gated { get; init; }

    /// <summary><c>higher</c> or <c>lower</c> is better; a thresholds run's check of <see cref="Candidate"/> against its threshold needs it.</summary>
    [JsonPropertyName("direction")]
    public string? Direction { get; init; }

    /// <summary>
    /// A thresholds run's check: <see cref="Candidate"/> meets the threshold held in <see cref="Baseline"/> in the
    /// metric's <see cref="Direction"/>; false when either is missing. The engine compares the point estimate with a
    /// 1e-9 margin for round-off; the same margin here.
    /// </summary>
    public bool MeetsThreshold()
    {
        const double RoundOff = 1e-9;
        return Candidate is { } value && Baseline is { } threshold
            && (Direction == "lower" ? value <= threshold + RoundOff : value >= threshold - RoundOff);
    }
}
