namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// A change the detector found: the mean moved from <see cref="Before"/> to <see cref="After"/>, and
/// <see cref="FirstBucketIndex"/> is the first bucket of the new level. The interval is a normal approximation for the
/// difference of the two segments' means (unpooled for rates, Welch for values) at the chosen split; the split was
/// picked because it maximised the statistic, so the interval is somewhat optimistic (narrower than a fresh sample's).
/// </summary>
/// <param name="FirstBucketIndex">Index, in the list passed to the detector, of the first bucket of the new level.</param>
/// <param name="Boundary">That bucket's start.</param>
/// <param name="WindowStartIndex">Index of the first bucket the scan looked at (the older level starts there).</param>
/// <param name="Scale">The likelihood used.</param>
/// <param name="Before">Mean of the samples before the boundary (a share for a rate).</param>
/// <param name="After">Mean of the samples from the boundary on.</param>
/// <param name="Difference"><see cref="After"/> − <see cref="Before"/>.</param>
/// <param name="CiLow">Lower end of the difference's interval.</param>
/// <param name="CiHigh">Upper end of the difference's interval.</param>
/// <param name="Confidence">The interval's coverage, e.g. 0.95.</param>
/// <param name="SamplesBefore">Samples before the boundary in the window.</param>
/// <param name="SamplesAfter">Samples from the boundary on.</param>
/// <param name="Statistic">The maximised log-likelihood ratio.</param>
/// <param name="Threshold">The threshold it reached.</param>
public sealed record DetectedChange(
    int FirstBucketIndex,
    DateTimeOffset Boundary,
    int WindowStartIndex,
    MetricScale Scale,
    double Before,
    double After,
    double Difference,
    double CiLow,
    double CiHigh,
    double Confidence,
    long SamplesBefore,
    long SamplesAfter,
    double Statistic,
    double Threshold)
{
    /// <summary>True when the mean went up.</summary>
    public bool IsIncrease => Difference > 0;
}
