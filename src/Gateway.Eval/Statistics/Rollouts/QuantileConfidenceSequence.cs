namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// Time-uniform bounds on one arm's p-quantile from its readings, valid at every look at once (the controller looks
/// every ten seconds). Exact, not asymptotic: no normal approximation of the tail, which matters at p = 0.95 where a
/// small arm has only a handful of readings above the quantile.
/// </summary>
/// <remarks>
/// <para>
/// For the true quantile q, each reading is below q with probability at most p and above it with probability at most
/// 1 − p. So the number of readings below q is a count of at most-p-likely events, and the one-sided mixture of
/// Bernoulli likelihood ratios M_n = (1/J)·Σ_j (q_j/p)^S·((1 − q_j)/(1 − p))^(n − S) over alternatives q_j &gt; p is a
/// nonnegative supermartingale under it: by Ville's inequality the count S_n reaches the first S at which
/// M_n ≥ 1/α, at any n, with probability at most α (Howard and Ramdas 2022, who build quantile confidence sequences
/// this way; the mixture here is a fixed grid q_j = p + (1 − p)·2^(−j/2), j = 1..40, equally weighted).
/// </para>
/// <para>
/// Then, with k the boundary: fewer than k readings are below q, so the k-th smallest reading is at or above it (the
/// upper bound); and fewer than k′ (the boundary at 1 − p) are above it, so the k′-th largest is at or below it (the
/// lower bound). From a histogram the upper bound is the top edge of that reading's bucket and the lower bound its
/// bottom edge, which only widens the bounds. Each side has error rate α; an arm too small for a side gets +∞ (or 0).
/// </para>
/// </remarks>
public static class QuantileConfidenceSequence
{
    private const int GridSize = 40;

    /// <summary>
    /// The smallest count k such that k or more of n readings, each an event of probability at most
    /// <paramref name="p"/>, happen at any n with probability at most <paramref name="alpha"/>; n + 1 when no count of
    /// n readings is that unlikely yet.
    /// </summary>
    public static long CountBoundary(long n, double p, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        QuantileHistogram.ValidateProbability(p);
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "An error rate is in (0, 1).");
        }

        var target = -Math.Log(alpha);
        // Each alternative's log likelihood ratio per reading counted (a) and per reading not counted (b).
        Span<double> a = stackalloc double[GridSize];
        Span<double> b = stackalloc double[GridSize];
        for (var j = 0; j < GridSize; j++)
        {
            var q = p + ((1 - p) * Math.Pow(2, -(j + 1) / 2.0));
            a[j] = Math.Log(q / p);
            b[j] = Math.Log((1 - q) / (1 - p));
        }

        if (n == 0 || LogMixture(n, n, a, b) < target)
        {
            return n + 1;
        }

        // The mixture grows with the count: the first count to reach the target, by bisection on [⌊n·p⌋, n]
        // (at or below the expected count every term is at most 1, so the mixture is below 1/α there).
        var low = (long)Math.Floor(n * p);
        var high = n;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (LogMixture(middle, n, a, b) >= target)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>
    /// Bounds on the <paramref name="p"/>-quantile of the distribution <paramref name="readings"/> are drawn from, each
    /// side wrong at some look with probability at most <paramref name="alpha"/>: a lower bound (0 when the arm is too
    /// small) and an upper bound (+∞ when it is).
    /// </summary>
    public static (double Lower, double Upper) Bounds(QuantileHistogram readings, double p, double alpha)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var n = readings.Count;
        var below = CountBoundary(n, p, alpha);
        var above = CountBoundary(n, 1 - p, alpha);
        var upper = below <= n ? readings.RankRange(below).Upper : double.PositiveInfinity;
        var lower = above <= n ? readings.RankRange(n - above + 1).Lower : 0;
        return (lower, upper);
    }

    /// <summary>ln M_n at count <paramref name="count"/> of <paramref name="n"/>, the log of the mixture's mean (log-sum-exp).</summary>
    private static double LogMixture(long count, long n, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        Span<double> terms = stackalloc double[GridSize];
        var max = double.NegativeInfinity;
        for (var j = 0; j < GridSize; j++)
        {
            var term = (count * a[j]) + ((n - count) * b[j]);
            terms[j] = term;
            max = Math.Max(max, term);
        }

        var sum = 0.0;
        foreach (var term in terms)
        {
            sum += Math.Exp(term - max);
        }

        return max + Math.Log(sum) - Math.Log(GridSize);
    }
}
