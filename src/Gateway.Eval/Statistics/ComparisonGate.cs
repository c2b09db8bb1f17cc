namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Compares a candidate with its baseline metric by metric (paired bootstrap CI, exact McNemar for rates, the
/// verdict rule) and decides the gate.
/// </summary>
internal sealed class ComparisonGate
{
    private readonly ComparisonOptions _options;
    private readonly PairedBootstrap _bootstrap;

    public ComparisonGate(ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _bootstrap = new PairedBootstrap(options.Resamples, options.Confidence);
    }

    public ComparisonReport Compare(IReadOnlyList<MetricSamples> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var comparisons = new List<MetricComparison>(metrics.Count);
        foreach (var metric in metrics)
        {
            if (!names.Add(metric.Name))
            {
                throw new ArgumentException($"Metric '{metric.Name}' appears twice.", nameof(metrics));
            }

            comparisons.Add(Compare(metric));
        }

        var (result, blamed) = ComparisonReport.Aggregate(comparisons);
        return new ComparisonReport(comparisons, result, blamed, _options.Strict, _options.Confidence, _options.Resamples, _options.Seed);
    }

    private MetricComparison Compare(MetricSamples metric)
    {
        // Every metric uses the same seed: with the same cases, each resample then draws the same cases for every
        // metric, so the metrics' intervals describe one set of bootstrap worlds rather than unrelated ones.
        var result = _bootstrap.Run(metric, _options.Seed);
        var mcNemar = metric.Kind == MetricKind.Rate ? McNemarExact.Test(metric.Samples) : null;
        var decision = VerdictRule.Decide(result, metric.Gate, _options.Strict);
        var repeatsNeeded = decision is { Underpowered: true, MoreCasesNeeded: { } more }
            ? RepeatsAdvice.RepeatsNeeded(metric.Samples, (result.Cases + (double)more) / result.Cases)
            : null;
        return new MetricComparison(
            metric.Name,
            metric.Kind,
            metric.Gate.Gated,
            result.BaselineMean,
            result.CandidateMean,
            result.Delta,
            result.CiLow,
            result.CiHigh,
            mcNemar,
            result.Cases,
            result.Repeats,
            decision.ToleranceInDeltaUnits,
            decision.Verdict,
            decision.MoreCasesNeeded,
            VerdictExplanation.Describe(metric.Name, metric.Kind, metric.Gate, result, decision, repeatsNeeded),
            decision.Underpowered,
            repeatsNeeded);
    }
}
