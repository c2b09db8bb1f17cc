using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary>
/// One change the detector found in a metric's series for a prompt and environment (all arms together, each in
/// proportion to its samples): the mean moved from <see cref="Before"/> to <see cref="After"/> at some time inside
/// [<see cref="WindowStart"/>, <see cref="WindowEnd"/>); <see cref="Arms"/> says which arm moved.
/// </summary>
public sealed record BehaviourChange
{
    /// <summary><c>chg_</c> and hex digits, time-ordered.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("environment")]
    public required string Environment { get; init; }

    [JsonPropertyName("metric")]
    public required string Metric { get; init; }

    /// <summary><c>increase</c> or <c>decrease</c> of the mean.</summary>
    [JsonPropertyName("direction")]
    public required string Direction { get; init; }

    [JsonPropertyName("before")]
    public double Before { get; init; }

    [JsonPropertyName("after")]
    public double After { get; init; }

    /// <summary>After − before.</summary>
    [JsonPropertyName("difference")]
    public double Difference { get; init; }

    /// <summary>The difference's 95% confidence interval.</summary>
    [JsonPropertyName("ci_low")]
    public double CiLow { get; init; }

    [JsonPropertyName("ci_high")]
    public double CiHigh { get; init; }

    [JsonPropertyName("samples_before")]
    public long SamplesBefore { get; init; }

    [JsonPropertyName("samples_after")]
    public long SamplesAfter { get; init; }

    /// <summary>The first bucket of the new level.</summary>
    [JsonPropertyName("window_start")]
    public DateTimeOffset WindowStart { get; init; }

    [JsonPropertyName("window_end")]
    public DateTimeOffset WindowEnd { get; init; }

    [JsonPropertyName("detected_at")]
    public DateTimeOffset DetectedAt { get; init; }

    /// <summary>The detector's statistic and the threshold it crossed.</summary>
    [JsonPropertyName("statistic")]
    public double Statistic { get; init; }

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; }

    /// <summary>Null when no activation comes near the change (before it, or just after its estimated minute).</summary>
    [JsonPropertyName("nearest_activation")]
    public NearestActivation? NearestActivation { get; init; }

    /// <summary>
    /// Each version and arm's own mean either side of the boundary, by version then arm: <see cref="Before"/> and
    /// <see cref="After"/> weigh the arms by their samples, not by their traffic. Null on changes recorded before it existed.
    /// </summary>
    [JsonPropertyName("arms")]
    public IReadOnlyList<BehaviourChangeArm>? Arms { get; init; }
}
