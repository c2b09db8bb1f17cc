using LlmGateway.Eval.Datasets;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Turns one run into one value per metric. Assertion metrics: null when no assertion of the run feeds the metric;
/// 0 when the call failed (an error never passes); otherwise 1/0 for all-pass, or the weighted mean score.
/// Cost, latency and output-token metrics: the figure, or null when the call failed or the figure is unknown.
/// </summary>
internal static class MetricValues
{
    public static double? Compute(MetricDefinition metric, CaseExecution execution, IReadOnlyList<AssertionOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(outcomes);
        switch (metric.Source)
        {
            case MetricSource.Cost:
                return execution.Succeeded && execution.CostUsd is { } cost ? (double)cost : null;
            case MetricSource.Latency:
                return execution.Succeeded ? execution.LatencyMs : null;
            case MetricSource.OutputTokens:
                return execution.Succeeded ? execution.OutputTokens : null;
        }

        var feeding = outcomes.Where(o => metric.IsFedBy(o.Assertion)).ToList();
        if (feeding.Count == 0)
        {
            return null;
        }

        if (!execution.Succeeded)
        {
            return 0;
        }

        if (metric.Aggregate == MetricAggregate.AllPass)
        {
            return feeding.TrueForAll(o => o.Result.Pass) ? 1 : 0;
        }

        var totalWeight = feeding.Sum(o => o.Assertion.Weight);

        // All weights 0 would divide by zero; treating them as equal is the only reading that keeps a value.
        return totalWeight > 0
            ? feeding.Sum(o => o.Assertion.Weight * o.Result.Score) / totalWeight
            : feeding.Average(o => o.Result.Score);
    }
}
