namespace LlmGateway.Eval.Statistics;

/// <summary>
/// How one metric is judged: which way is better, the largest regression tolerated, and whether a regression
/// fails the gate (an ungated metric is still measured and reported).
/// </summary>
internal sealed record MetricGate
{
    public MetricGate(MetricDirection direction, double tolerance, ToleranceKind toleranceKind, bool gated = true)
    {
        if (!double.IsFinite(tolerance) || tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "A tolerance is a finite, non-negative size of regression.");
        }

        Direction = direction;
        Tolerance = tolerance;
        ToleranceKind = toleranceKind;
        Gated = gated;
    }

    public MetricDirection Direction { get; }

    /// <summary>The largest tolerated regression, absolute or relative per <see cref="ToleranceKind"/>.</summary>
    public double Tolerance { get; }

    public ToleranceKind ToleranceKind { get; }

    public bool Gated { get; }

    /// <summary>A rate or score where higher is better, e.g. accuracy with 0.02 = 2 pp tolerated.</summary>
    public static MetricGate HigherIsBetter(double absoluteTolerance, bool gated = true) =>
        new(MetricDirection.HigherIsBetter, absoluteTolerance, ToleranceKind.Absolute, gated);

    /// <summary>Cost or latency, e.g. 0.10 tolerates a candidate up to 10% above the baseline mean.</summary>
    public static MetricGate LowerIsBetterRelative(double relativeTolerance, bool gated = true) =>
        new(MetricDirection.LowerIsBetter, relativeTolerance, ToleranceKind.Relative, gated);

    /// <summary>The tolerance in the delta's units, given the baseline mean a relative tolerance scales.</summary>
    public double ToleranceInDeltaUnits(double baselineMean) =>
        ToleranceKind == ToleranceKind.Absolute ? Tolerance : Tolerance * Math.Abs(baselineMean);
}
