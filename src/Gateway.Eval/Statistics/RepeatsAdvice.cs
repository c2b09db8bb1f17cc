namespace LlmGateway.Eval.Statistics;

/// <summary>
/// How many repeats per case would shrink a metric's interval enough, when repeats can. The variance of a case's
/// mean difference is σ²_between + σ²_within / r: repeats average away only the within-case (run-to-run) part, so
/// when the between-case part alone exceeds the target no number of repeats settles it, and only more cases do.
/// </summary>
internal static class RepeatsAdvice
{
    /// <summary>Beyond this, "more repeats" is not advice anyone can take.</summary>
    private const int MaxRepeats = 1000;

    /// <summary>
    /// The repeats per case that would cut the variance of the mean difference by <paramref name="shrink"/> (≥ 1), or
    /// null when the within-case variance cannot be estimated (fewer than 2 repeats) or repeats cannot reach it.
    /// </summary>
    public static int? RepeatsNeeded(PairedSamples samples, double shrink)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var repeats = samples.MaxRepeats;
        var cases = samples.Cases;
        if (repeats < 2 || cases < 2 || !(shrink >= 1) || !double.IsFinite(shrink))
        {
            return null;
        }

        // Within: the mean over cases of the unbiased variance of their per-repeat differences.
        double within = 0;
        var baseline = samples.Baseline;
        var candidate = samples.Candidate;
        var offset = 0;
        var counted = 0;
        var means = samples.CaseDifferences;
        for (var i = 0; i < cases; i++)
        {
            var count = samples.RepeatsOf(i);
            if (count >= 2)
            {
                double sum = 0;
                for (var j = offset; j < offset + count; j++)
                {
                    var d = candidate[j] - baseline[j] - means[i];
                    sum += d * d;
                }

                within += sum / (count - 1);
                counted++;
            }

            offset += count;
        }

        if (counted == 0)
        {
            return null;
        }

        within /= counted;
        var total = Variance(means);
        var between = Math.Max(0, total - (within / repeats));
        var target = total / shrink;
        if (!(target > between) || within == 0)
        {
            return null;
        }

        var needed = Math.Ceiling(within / (target - between));
        return needed <= MaxRepeats ? Math.Max(repeats + 1, (int)needed) : null;
    }

    private static double Variance(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (var v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double sum = 0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return sum / (values.Length - 1);
    }
}
