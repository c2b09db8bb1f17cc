using System.Buffers;
using System.Runtime.CompilerServices;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Percentile bootstrap CI of the mean paired difference (candidate − baseline), resampling cases.
/// </summary>
/// <remarks>
/// <para>
/// Paired: both versions ran the same cases, so case difficulty cancels in each case's difference; the CI of the
/// mean difference is far narrower than comparing two independent means would be.
/// </para>
/// <para>
/// Cluster bootstrap: repeats of one case share that case's difficulty and the candidate's effect on it, so they
/// are not independent. Resampling runs would count N repeats as N cases and shrink the CI up to √N-fold, which
/// turns case-level noise into false alarms; the population we generalise to is cases, so cases are what we draw.
/// Averaging a case's repeats before resampling is exact for equal repeat counts (the resampled mean is the same
/// either way) and makes a resample O(cases) rather than O(runs); with unequal counts it weights each case once,
/// as the dataset defines them.
/// </para>
/// <para>
/// Seeded: the same samples, seed, resample count and confidence give the identical CI (see
/// <see cref="Xoshiro256StarStar"/> for why the generator is ours).
/// </para>
/// </remarks>
internal sealed class PairedBootstrap
{
    public const int DefaultResamples = 10_000;

    public const double DefaultConfidence = 0.95;

    public PairedBootstrap(int resamples = DefaultResamples, double confidence = DefaultConfidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 2);
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Confidence is a level strictly between 0 and 1, e.g. 0.95.");
        }

        Resamples = resamples;
        Confidence = confidence;
    }

    public int Resamples { get; }

    public double Confidence { get; }

    public BootstrapResult Run(PairedSamples samples, long seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var differences = samples.CaseDifferences;
        var n = differences.Length;
        var delta = Mean(differences);

        // One rented buffer per run, none per resample: the inner loop only draws indices and adds.
        var means = ArrayPool<double>.Shared.Rent(Resamples);
        try
        {
            var sorted = means.AsSpan(0, Resamples);
            Resample(differences, sorted, unchecked((ulong)seed));
            sorted.Sort();
            var alpha = 1 - Confidence;
            return new BootstrapResult(
                Mean(samples.CaseBaselineMeans),
                Mean(samples.CaseCandidateMeans),
                delta,
                Quantile(sorted, alpha / 2),
                Quantile(sorted, 1 - (alpha / 2)),
                n,
                samples.MaxRepeats,
                Confidence,
                Resamples,
                seed);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(means);
        }
    }

    /// <summary>
    /// <see cref="Run(PairedSamples, long)"/> for a metric, with the adaptive design's guards against an interval that
    /// is a point (<see cref="ClusterMoments.StandardError"/>). Pairs that all agree give every resample the same mean,
    /// but say only that a disagreement is rare, not that there is none: the interval is at least Δ ± z times the
    /// binomial floor (rates, and assertion scores that are 0/1 or agree everywhere; never the error rate, which
    /// max_error_rate bounds). One case can only be redrawn as itself: it is judged on its own repeats, as the adaptive
    /// design judges it, and a case measured once is an interval without finite ends (inconclusive, never unchanged).
    /// Few cases: the percentile interval of n cases is about as wide as their spread (two cases: [min d, max d]), far
    /// narrower than what they say of the population of cases; below 31 the interval is at least the adaptive design's,
    /// Δ ± z times the case standard error inflated by Student's t for n − 1 degrees of freedom (t/1.96 at 95%).
    /// </summary>
    public BootstrapResult Run(MetricSamples metric, long seed)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var result = Run(metric.Samples, seed);
        var moments = ClusterMoments.From(metric.Samples);
        var z = StandardNormal.Quantile(1 - ((1 - Confidence) / 2));
        if (moments.Cases < 2)
        {
            var half = z * moments.StandardError(metric.Kind, rateFloor: !metric.BoundedByRun, scores: metric.Scores);
            return result with { CiLow = result.Delta - half, CiHigh = result.Delta + half };
        }

        if (StudentT.Inflation(moments.Cases - 1) > 1)
        {
            // At least the adaptive design's interval, Δ ± z times its standard error (Student-inflated): widening the
            // percentile interval's own ends by t/z is not enough, since with few cases those ends sit nearer than
            // z standard errors (two cases: [min d, max d] is Δ ± 1 SE).
            var half = z * moments.StandardError(metric.Kind, rateFloor: !metric.BoundedByRun, scores: metric.Scores);
            result = result with { CiLow = Math.Min(result.CiLow, result.Delta - half), CiHigh = Math.Max(result.CiHigh, result.Delta + half) };
        }

        var floor = z * moments.BinomialFloor(metric.Kind, rateFloor: !metric.BoundedByRun, scores: metric.Scores);
        return floor > 0
            ? result with { CiLow = Math.Min(result.CiLow, result.Delta - floor), CiHigh = Math.Max(result.CiHigh, result.Delta + floor) }
            : result;
    }

    /// <summary>
    /// Fills <paramref name="means"/> with the means of resamples of <paramref name="differences"/>. The generator is
    /// a local struct whose draws inline, so a draw is a few register operations (about 2 ns); the method is jitted
    /// fully optimised at once because a CLI process runs it once, long before tiered compilation would catch up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Resample(ReadOnlySpan<double> differences, Span<double> means, ulong seed)
    {
        var n = differences.Length;
        var random = new Xoshiro256StarStar(seed);
        for (var b = 0; b < means.Length; b++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += differences[random.NextIndex(n)];
            }

            means[b] = sum / n;
        }
    }

    /// <summary>Linear interpolation between order statistics (Hyndman and Fan type 7, R's and NumPy's default).</summary>
    internal static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lower = (int)Math.Floor(h);
        if (lower >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        var fraction = h - lower;
        return fraction == 0 ? sorted[lower] : sorted[lower] + (fraction * (sorted[lower + 1] - sorted[lower]));
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }
}
