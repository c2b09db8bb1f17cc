using System.Globalization;

namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Judges a candidate on its own against absolute thresholds (the bundle's <c>eval.thresholds</c>): a
/// higher-is-better metric must reach its minimum, a lower-is-better one stay at or under its maximum. This is how a
/// prompt's first version enters a gated environment, where there is no stable to compare with; a self-comparison
/// there only measures noise, and on a loaded machine it blocked a first release on noise alone.
/// </summary>
/// <remarks>
/// The point estimate decides, as promptfoo's thresholds do: a threshold is a requirement the author wrote down, not
/// a hypothesis. The CI is still computed and shown (as the delta's interval against the threshold) so a reader
/// sees how close the call was. Metrics without a threshold are reported ungated.
/// </remarks>
internal sealed class ThresholdGate(ComparisonOptions options)
{
    private readonly PairedBootstrap _bootstrap = new(options.Resamples, options.Confidence);

    /// <param name="metrics">Each metric's candidate values by case (the baseline side of its samples is ignored).</param>
    /// <param name="thresholds">Metric name to its minimum (higher is better) or maximum (lower is better).</param>
    public ComparisonReport Compare(IReadOnlyList<MetricSamples> metrics, IReadOnlyDictionary<string, double> thresholds)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(thresholds);
        var comparisons = new List<MetricComparison>(metrics.Count);
        foreach (var metric in metrics)
        {
            comparisons.Add(thresholds.TryGetValue(metric.Name, out var threshold)
                ? Judge(metric, threshold)
                : Report(metric));
        }

        var (result, blamed) = ComparisonReport.Aggregate(comparisons);
        return new ComparisonReport(comparisons, result, blamed, Strict: false, options.Confidence, options.Resamples, options.Seed);
    }

    private MetricComparison Judge(MetricSamples metric, double threshold)
    {
        var result = _bootstrap.Run(AgainstConstant(metric.Samples, threshold), options.Seed);
        var higher = metric.Gate.Direction == MetricDirection.HigherIsBetter;
        // A mean of per-case means can land a rounding error below an exact share (72/90 came out 0.7999999999999999
        // against 0.8): compare with a margin far below any threshold anyone writes.
        const double RoundOff = 1e-9;
        var met = higher ? result.CandidateMean >= threshold - RoundOff : result.CandidateMean <= threshold + RoundOff;
        var verdict = met ? Verdict.Unchanged : Verdict.Regressed;
        var percent = metric.Kind == MetricKind.Rate;
        var text = (double v) => percent ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : v.ToString("0.####", CultureInfo.InvariantCulture);
        var bound = higher ? "minimum" : "maximum";
        var explanation = $"{metric.Name} is {text(result.CandidateMean)} ({(result.Confidence * 100).ToString("0.##", CultureInfo.InvariantCulture)}% CI "
            + $"{text(result.CandidateMean + (result.CiLow - result.Delta))} to {text(result.CandidateMean + (result.CiHigh - result.Delta))}), "
            + (met ? $"meeting its {bound} of {text(threshold)}" : $"{(higher ? "below" : "above")} its {bound} of {text(threshold)}");
        return new MetricComparison(
            metric.Name, metric.Kind, Gated: true, threshold, result.CandidateMean, result.Delta, result.CiLow, result.CiHigh,
            McNemar: null, result.Cases, result.Repeats, Tolerance: 0, verdict, MoreCasesNeeded: null, explanation);
    }

    private MetricComparison Report(MetricSamples metric)
    {
        var result = _bootstrap.Run(AgainstConstant(metric.Samples, 0), options.Seed);
        return new MetricComparison(
            metric.Name, metric.Kind, Gated: false, double.NaN, result.CandidateMean, double.NaN, double.NaN, double.NaN,
            McNemar: null, result.Cases, result.Repeats, Tolerance: 0, Verdict.Unchanged, MoreCasesNeeded: null,
            $"{metric.Name} has no threshold in the bundle's eval block (not gated)");
    }

    // The bootstrap of candidate − constant is the bootstrap of the candidate mean, shifted: the same machinery, so
    // the interval is case-clustered and seeded like every other.
    private static PairedSamples AgainstConstant(PairedSamples samples, double constant)
    {
        var baseline = new IReadOnlyList<double>[samples.Cases];
        var candidate = new IReadOnlyList<double>[samples.Cases];
        var all = samples.Candidate;
        var offset = 0;
        for (var i = 0; i < samples.Cases; i++)
        {
            var count = samples.RepeatsOf(i);
            candidate[i] = all.Slice(offset, count).ToArray();
            baseline[i] = Enumerable.Repeat(constant, count).ToArray();
            offset += count;
        }

        return PairedSamples.FromCases(baseline, candidate);
    }
}
