using LlmGateway.Eval.Datasets;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Turns one run into one value per metric. A failed call has a value for the error rate only (1); every other
/// metric gets null, so the failure is dropped from its paired comparison instead of scoring 0, which would read as
/// the best value of a lower-is-better metric and cancel out on both sides of a run that failed everywhere.
/// Assertion metrics: null when no assertion of the run feeds the metric; otherwise 1/0 for all-pass, or the
/// weighted mean score; null too when any feeding assertion's scorer errored. Cost, latency and output-token
/// metrics: the figure, or null when it is unknown.
/// </summary>
internal static class MetricValues
{
    public static double? Compute(MetricDefinition metric, CaseExecution execution, IReadOnlyList<AssertionOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (metric.Source == MetricSource.Errors)
        {
            return execution.Succeeded ? 0 : 1;
        }

        if (!execution.Succeeded)
        {
            return null;
        }

        switch (metric.Source)
        {
            case MetricSource.Cost:
                return execution.CostUsd is { } cost ? (double)cost : null;
            case MetricSource.Latency:
                return execution.LatencyMs;
            case MetricSource.OutputTokens:
                return execution.OutputTokens;
        }

        var feeding = outcomes.Where(o => metric.IsFedBy(o.Assertion)).ToList();

        // A scorer that could not run (no judge model, a judge or embedding call that failed, a bad schema) says
        // nothing about the answer: like a failed call, it leaves the metric without a value for this run instead
        // of a 0 that would cancel out on both sides or read as the best value of a lower-is-better metric.
        if (feeding.Count == 0 || feeding.Exists(o => o.Result.IsError))
        {
            return null;
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
