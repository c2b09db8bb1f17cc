using LlmGateway.Eval.Statistics.ChangePoints;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>One metric a rollout is judged on.</summary>
/// <param name="Name">The metric's name (the key of its readings).</param>
/// <param name="Scale">Rate (readings 0/1) or Value (continuous).</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="ThresholdKind">Whether <paramref name="Threshold"/> is in the metric's units or a fraction of the stable mean.</param>
/// <param name="Threshold">
/// The practical threshold δ &gt; 0: the largest degradation that is still acceptable (0.02 absolute on a rate = two
/// percentage points; 0.2 relative = 20%). A relative threshold on a higher-is-better metric must be below 1.
/// </param>
/// <param name="CanAbort">Whether an established degradation aborts the rollout; false = it can only pause it.</param>
/// <param name="Quantile">
/// When set, the metric compares this quantile of the arms (0.95: the p95) from their histograms
/// (<see cref="RolloutComparison.CompareQuantiles"/>), not their means; a value metric only.
/// </param>
public sealed record RolloutMetric(
    string Name,
    MetricScale Scale,
    RolloutDirection Direction,
    RolloutThresholdKind ThresholdKind,
    double Threshold,
    bool CanAbort,
    double? Quantile = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> when the spec is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A rollout metric needs a name.", nameof(Name));
        }

        if (!Enum.IsDefined(Scale) || !Enum.IsDefined(Direction) || !Enum.IsDefined(ThresholdKind))
        {
            throw new ArgumentException($"Rollout metric '{Name}' has an undefined scale, direction or threshold kind.", nameof(Scale));
        }

        if (!(Threshold > 0) || !double.IsFinite(Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, $"Rollout metric '{Name}': the threshold must be positive and finite.");
        }

        if (ThresholdKind == RolloutThresholdKind.Relative && Direction == RolloutDirection.HigherIsBetter && Threshold >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, $"Rollout metric '{Name}': a relative threshold on a higher-is-better metric must be below 1.");
        }

        if (Quantile is { } quantile && (!(quantile > 0 && quantile < 1) || Scale != MetricScale.Value))
        {
            throw new ArgumentOutOfRangeException(nameof(Quantile), quantile, $"Rollout metric '{Name}': a quantile is in (0, 1), of a value metric.");
        }
    }

    /// <summary>
    /// The threshold on the analysis scale, as a degradation (positive = worse): δ for an absolute threshold,
    /// ln(1 + δ) or −ln(1 − δ) for a relative one.
    /// </summary>
    internal double AnalysisThreshold => ThresholdKind == RolloutThresholdKind.Absolute
        ? Threshold
        : Direction == RolloutDirection.LowerIsBetter ? Math.Log(1 + Threshold) : -Math.Log(1 - Threshold);
}
