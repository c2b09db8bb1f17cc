namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// The change-point detector's settings. The defaults are calibrated by <see cref="ChangePointSimulation"/> for the
/// evaluator's schedule (a look every minute at the buckets since the metric's last recorded change): an hour of two
/// identical versions raises no change on any of seven metrics in at least 95% of hours, at 5, 20 and 100 samples a
/// minute. See docs/change-detection.md for the figures.
/// </summary>
public sealed record ChangePointOptions
{
    /// <summary>The calibrated defaults.</summary>
    public static ChangePointOptions Default { get; } = new();

    /// <summary>
    /// The log-likelihood ratio (natural log, maximised over split points) a <see cref="MetricScale.Rate"/> metric must
    /// reach to report a change.
    /// </summary>
    public double RateThreshold { get; init; } = 9.0;

    /// <summary>
    /// The same for a <see cref="MetricScale.Value"/> metric. Higher than <see cref="RateThreshold"/>: heavy-tailed
    /// values (lognormal latency and cost) push the Gaussian statistic's null maximum well above its normal-theory
    /// distribution, and the rollups keep only Count, Sum and SumOfSquares, so a robust transform is not available.
    /// </summary>
    public double ValueThreshold { get; init; } = 13.0;

    /// <summary>Samples each side of a split must have before the split is considered.</summary>
    public long MinimumSamplesEachSide { get; init; } = 30;

    /// <summary>Buckets (minutes, empty ones included) each side of a split must span before it is considered.</summary>
    public int MinimumBucketsEachSide { get; init; } = 2;

    /// <summary>Coverage of the reported difference's confidence interval.</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>At most this many of the latest buckets are scanned (360 = six hours of minutes).</summary>
    public int MaxWindowBuckets { get; init; } = 360;

    /// <summary>
    /// A <see cref="MetricScale.Value"/> metric's pooled standard deviation is taken to be at least this fraction of the
    /// window's root mean square, so a constant series (zero variance) that steps by a rounding error is not a change
    /// and an infinite statistic cannot occur.
    /// </summary>
    public double ValueNoiseFloor { get; init; } = 0.01;

    /// <summary>The threshold for <paramref name="scale"/>.</summary>
    public double ThresholdFor(MetricScale scale) => scale == MetricScale.Rate ? RateThreshold : ValueThreshold;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is outside its domain.</summary>
    public void Validate()
    {
        if (!(RateThreshold > 0) || double.IsPositiveInfinity(RateThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(RateThreshold), RateThreshold, "must be positive and finite");
        }

        if (!(ValueThreshold > 0) || double.IsPositiveInfinity(ValueThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(ValueThreshold), ValueThreshold, "must be positive and finite");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumSamplesEachSide, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumBucketsEachSide, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWindowBuckets, 2);
        if (!(Confidence > 0 && Confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "must be in (0, 1)");
        }

        if (!(ValueNoiseFloor > 0 && ValueNoiseFloor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ValueNoiseFloor), ValueNoiseFloor, "must be in (0, 1)");
        }
    }
}
