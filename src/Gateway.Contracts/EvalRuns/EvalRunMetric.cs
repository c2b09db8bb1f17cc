using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.EvalRuns;

/// <summary>
/// One metric's comparison, as the evaluation engine reported it: an entry of a stored run's <c>metrics</c> (what
/// <c>gatewayctl eval run</c> posts) and of a version's <c>latest_eval.metrics</c>. In a thresholds run
/// <see cref="Baseline"/> holds the metric's threshold.
/// </summary>
public sealed record EvalRunMetric
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

    /// <summary>How many cases the metric was measured on.</summary>
    [JsonPropertyName("n")]
    public int? N { get; init; }

    /// <summary>Whether the run's verdict rests on this metric.</summary>
    [JsonPropertyName("gated")]
    public bool Gated { get; init; }

    /// <summary><c>higher</c> or <c>lower</c> is better; a thresholds run's check of <see cref="Candidate"/> against its threshold needs it.</summary>
    [JsonPropertyName("direction")]
    public string? Direction { get; init; }
}
