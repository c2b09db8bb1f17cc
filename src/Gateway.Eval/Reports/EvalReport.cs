using LlmGateway.Eval.Running;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>What every report renders: the statistics' comparison and the runs behind it.</summary>
/// <param name="Skipped">Metrics the comparison could not include, with the reason (see <see cref="RunResult.ToMetricSamples"/>).</param>
internal sealed record EvalReport(ComparisonReport Comparison, RunResult Run, IReadOnlyDictionary<string, string> Skipped)
{
    /// <summary>Compares a run's metrics with the config's statistics options.</summary>
    public static EvalReport Create(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var set = run.ToMetricSamples();
        var comparison = new ComparisonGate(run.Config.ToComparisonOptions()).Compare(set.Samples);
        return new EvalReport(comparison, run, set.Skipped);
    }

    /// <summary>Candidate runs that failed an assertion or errored, grouped by case, in case order.</summary>
    public IReadOnlyList<CaseComparison> FailingCases => [.. CaseComparison.All(Run).Where(c => c.CandidateFailures > 0)];
}
