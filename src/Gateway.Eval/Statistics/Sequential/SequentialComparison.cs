namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// An adaptive run's final decision in the shape every report reads (<see cref="ComparisonReport"/>): each metric's
/// anytime interval in place of the bootstrap CI, its verdict from <see cref="VerdictRule"/> on that interval, and the
/// gate aggregated the same way. The "more cases" advice of an underpowered metric is kept; repeats advice is not
/// given, because the planner already spent repeats where they could still decide.
/// </summary>
internal static class SequentialComparison
{
    public static ComparisonReport ToReport(AdaptiveDecision decision, IReadOnlyList<MetricSamples> samples, ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        var comparisons = new List<MetricComparison>(decision.Metrics.Count);
        foreach (var state in decision.Metrics)
        {
            var interval = state.Interval;
            var metric = samples.FirstOrDefault(s => s.Name == state.Name);
            var mcNemar = state.Kind == MetricKind.Rate && metric is not null ? McNemarExact.Test(metric.Samples) : null;
            comparisons.Add(new MetricComparison(
                state.Name,
                state.Kind,
                state.Gate.Gated,
                interval.BaselineMean,
                interval.CandidateMean,
                interval.Delta,
                interval.CiLow,
                interval.CiHigh,
                mcNemar,
                interval.Cases,
                interval.Repeats,
                state.Decision.ToleranceInDeltaUnits,
                state.Decision.Verdict,
                state.Decision.MoreCasesNeeded,
                VerdictExplanation.Describe(state.Name, state.Kind, state.Gate, interval, state.Decision),
                state.Decision.Underpowered));
        }

        var (result, blamed) = ComparisonReport.Aggregate(comparisons);
        return new ComparisonReport(comparisons, result, blamed, options.Strict, options.Confidence, Resamples: 0, options.Seed);
    }
}
