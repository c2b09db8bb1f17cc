using LlmGateway.Eval.Running;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Reports;

/// <summary>What every report renders: the statistics' comparison and the runs behind it.</summary>
/// <param name="Skipped">Metrics the comparison could not include, with the reason (see <see cref="RunResult.ToMetricSamples"/>).</param>
/// <param name="Thresholds">A candidate-only run's absolute thresholds (metric → minimum or maximum); null when comparing versions.</param>
internal sealed record EvalReport(ComparisonReport Comparison, RunResult Run, IReadOnlyDictionary<string, string> Skipped, IReadOnlyDictionary<string, double>? Thresholds = null)
{
    /// <summary>
    /// The run's outcome: <see cref="GateResult.Incomplete"/> when too many calls failed (the comparison of what
    /// survived says nothing about the dataset), otherwise the comparison's.
    /// </summary>
    public GateResult Result => !Run.Calls.Complete || (Run.Baseline is null && Thresholds is not { Count: > 0 })
        ? GateResult.Incomplete
        : Run.Baseline is null && ThresholdProblems.Count > 0 ? GateResult.Fail : Comparison.Result;

    /// <summary>
    /// A candidate-only run fails when a threshold cannot be checked (no such metric, or no values): an unmeasured
    /// requirement is not a met one.
    /// </summary>
    public IReadOnlyList<string> ThresholdProblems => Thresholds is null
        ? []
        : [.. Thresholds.Keys.Where(name => Comparison.Metrics.All(m => m.Name != name)).Order(StringComparer.Ordinal)];

    /// <summary>The metrics to name beside the result; none for an incomplete run, whose problem is its calls.</summary>
    public IReadOnlyList<string> Blamed => Run.Calls.Complete ? [.. Comparison.Blamed, .. ThresholdProblems] : [];

    public int ExitCode => EvalExitCodes.For(Result);

    /// <summary>
    /// Compares a run's metrics with the config's statistics options; a candidate-only run is judged on
    /// <paramref name="thresholds"/> instead (see <see cref="ThresholdGate"/>).
    /// </summary>
    public static EvalReport Create(RunResult run, IReadOnlyDictionary<string, double>? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var set = run.ToMetricSamples();
        if (run.Baseline is null)
        {
            var absolute = new ThresholdGate(run.Config.ToComparisonOptions()).Compare(set.Samples, thresholds ?? new Dictionary<string, double>());
            var skipped = new Dictionary<string, string>(set.Skipped, StringComparer.Ordinal);
            foreach (var name in (thresholds ?? new Dictionary<string, double>()).Keys.Where(n => absolute.Metrics.All(m => m.Name != n) && !skipped.ContainsKey(n)))
            {
                skipped[name] = "the bundle sets a threshold for it, but the eval config measures no such metric";
            }

            return new EvalReport(absolute, run, skipped, thresholds ?? new Dictionary<string, double>());
        }

        var comparison = run.Adaptive is { } adaptive
            ? SequentialComparison.ToReport(adaptive, set.Samples, run.Config.ToComparisonOptions())
            : new ComparisonGate(run.Config.ToComparisonOptions()).Compare(set.Samples);
        return new EvalReport(comparison, run, set.Skipped);
    }

    /// <summary>Candidate runs that failed an assertion or errored, grouped by case, in case order.</summary>
    public IReadOnlyList<CaseComparison> FailingCases => [.. CaseComparison.All(Run).Where(c => c.CandidateFailures > 0)];

    /// <summary>
    /// Plain-text notes every report prints under its table: how the run was read (unlisted metrics given
    /// defaults), how many calls failed and how many pairs that left out, and why an incomplete run has no verdict.
    /// </summary>
    public IReadOnlyList<string> RunNotes
    {
        get
        {
            var notes = new List<string>(Run.Notes);
            var calls = Run.Calls;
            if (calls.Failed > 0)
            {
                notes.Add($"{calls.Failed} of {calls.Total} calls failed after retries ({calls.Baseline.Failed} baseline, {calls.Candidate.Failed} candidate): "
                    + $"they count in {Run.Config.ErrorRate.Name} only, so {Run.PairsDroppedForErrors} (case, repeat) pair(s) were dropped from the other metrics' comparisons");
            }

            if (IncompleteReason is { } reason)
            {
                notes.Add(reason);
            }

            return notes;
        }
    }

    /// <summary>
    /// Why the run is incomplete, naming each side's failed share and the first failures (status, code, message);
    /// null for a complete run.
    /// </summary>
    public string? IncompleteReason
    {
        get
        {
            var calls = Run.Calls;
            if (calls.Complete)
            {
                return null;
            }

            var first = string.Join("; ", Run.FirstErrors().Select(ReportFormat.CallError));
            return $"incomplete: {calls.Baseline.Failed} of {calls.Baseline.Total} baseline and {calls.Candidate.Failed} of {calls.Candidate.Total} candidate calls failed, "
                + $"more than the {ReportFormat.Percent(calls.MaxErrorRate)} allowed (max_error_rate); first errors: {first}";
        }
    }
}
