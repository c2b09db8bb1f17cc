namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Exact McNemar test for paired pass/fail outcomes: under "no difference" each discordant pair is equally likely
/// to favour either version, so b ~ Binomial(b + c, ½) and p = min(1, 2·P(X ≤ min(b, c))).
/// </summary>
/// <remarks>
/// Concordant pairs (both pass, both fail) carry no information about which version is better, which is why the
/// test only looks at b and c; the exact binomial stays valid for the few discordant pairs a small dataset
/// produces, where the χ² approximation does not. The tail is summed in log space from its largest term
/// downwards, so b + c of 10⁵ and more neither overflows nor loses the small terms.
/// </remarks>
internal static class McNemarExact
{
    // log 2 = head + tail (fdlibm's split): the head has 32 significant bits, so m·head is exact for m < 2²¹.
    private const double Ln2Head = 6.93147180369123816490e-01;
    private const double Ln2Tail = 1.90821492927058770002e-10;

    public static McNemarResult Test(int baselineOnly, int candidateOnly)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baselineOnly);
        ArgumentOutOfRangeException.ThrowIfNegative(candidateOnly);
        return new McNemarResult(baselineOnly, candidateOnly, TwoSidedP(baselineOnly, candidateOnly));
    }

    /// <summary>
    /// Counts discordant pairs over every (case, repeat) pair; values must be 0 or 1. With repeats the pairs of one
    /// case are correlated, which this test ignores, so its p is then optimistic: it is reported alongside, while
    /// the verdict rests on the case-resampling bootstrap CI.
    /// </summary>
    public static McNemarResult Test(PairedSamples samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var baseline = samples.Baseline;
        var candidate = samples.Candidate;
        int baselineOnly = 0, candidateOnly = 0;
        for (var j = 0; j < baseline.Length; j++)
        {
            var basePass = IsPass(baseline[j]);
            var candidatePass = IsPass(candidate[j]);
            if (basePass && !candidatePass)
            {
                baselineOnly++;
            }
            else if (candidatePass && !basePass)
            {
                candidateOnly++;
            }
        }

        return Test(baselineOnly, candidateOnly);
    }

    private static bool IsPass(double value) => value switch
    {
        1 => true,
        0 => false,
        _ => throw new ArgumentException($"McNemar needs pass/fail values of 0 or 1, got {value}."),
    };

    private static double TwoSidedP(int b, int c)
    {
        long m = (long)b + c;
        long k = Math.Min(b, c);

        // 2k == m (b == c, including no discordant pairs) puts half the mass on each side of k: p is 1. So does
        // 2k + 1 == m (b and c one apart), where the lower tail is exactly half; summed in floating point it came out
        // as 0.9999999999999999, which reports printed as such.
        if (2 * k == m || (2 * k) + 1 == m)
        {
            return 1;
        }

        // log P(X = k) = log C(m, k) − m·log 2, with log C(m, k) = Σ_{j=1..k} log((m − k + j) / j). The two parts are
        // each near m·log 2 and cancel, so both are summed with compensation and log 2 is split into a head whose
        // product with m is exact and a tail; a plain sum would lose ~1e-9 of p at m = 10⁵.
        var logPk = new CompensatedSum();
        for (long j = 1; j <= k; j++)
        {
            logPk.Add(Math.Log((double)(m - k + j) / j));
        }

        logPk.Add(-m * Ln2Head);
        logPk.Add(-m * Ln2Tail);

        // Since k < m/2 the terms rise towards k: sum P(X = i)/P(X = k) downwards, stopping once they stop counting.
        double ratio = 1, sum = 1;
        for (var i = k; i > 0; i--)
        {
            ratio *= (double)i / (m - i + 1);
            sum += ratio;
            if (ratio < sum * 1e-17)
            {
                break;
            }
        }

        return Math.Min(1, 2 * Math.Exp(logPk.Value + Math.Log(sum)));
    }
}
