namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// One arm's readings of one metric over the analysis window, as the gateway rolls them up: how many, their sum and
/// their sum of squares. For a <see cref="ChangePoints.MetricScale.Rate"/> metric each reading is 0 or 1, so
/// <see cref="Sum"/> counts the events. For a shadow step's paired readings, <see cref="PairedMoments"/> holds one of
/// these for each answer and one for the per-request differences.
/// </summary>
/// <param name="Count">Readings in the window.</param>
/// <param name="Sum">Σx.</param>
/// <param name="SumOfSquares">Σx².</param>
public readonly record struct ArmMoments(long Count, double Sum, double SumOfSquares)
{
    /// <summary>The mean, or null without readings.</summary>
    public double? Mean => Count > 0 ? Sum / Count : null;

    /// <summary>
    /// The sample variance (n − 1 in the denominator, never negative), or null with fewer than two readings.
    /// </summary>
    public double? Variance => Count > 1 ? Math.Max(0, (SumOfSquares - (Sum * Sum / Count)) / (Count - 1)) : null;

    /// <summary>Whether the moments can be used: a non-negative count and finite sums.</summary>
    public bool IsValid => Count >= 0 && double.IsFinite(Sum) && double.IsFinite(SumOfSquares) && SumOfSquares >= 0;

    /// <summary>These moments with one more reading.</summary>
    public ArmMoments Add(double value) => new(Count + 1, Sum + value, SumOfSquares + (value * value));

    /// <summary>The moments of both sets of readings together.</summary>
    public ArmMoments Combine(ArmMoments other) => new(Count + other.Count, Sum + other.Sum, SumOfSquares + other.SumOfSquares);

    /// <summary>The moments of <paramref name="values"/>.</summary>
    public static ArmMoments Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var moments = default(ArmMoments);
        foreach (var value in values)
        {
            moments = moments.Add(value);
        }

        return moments;
    }
}
