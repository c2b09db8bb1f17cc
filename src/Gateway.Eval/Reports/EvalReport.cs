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
    /// The run's outcome. A fail comes first, complete run or not: a regression among the metrics that were measured,
    /// or a candidate whose own calls failed beyond <c>max_error_rate</c> while the baseline's did not
    /// (<see cref="CandidateBroke"/>): that run says something about the candidate, and "incomplete" would let an older
    /// pass stand for it. Then <see cref="GateResult.Incomplete"/> when too many calls failed or could not be scored (the
    /// comparison of what survived says nothing about the dataset), when a gated metric has no values at all (an
    /// unmeasured gate is not a passed one), or when a candidate-only run has no thresholds; otherwise the comparison's.
    /// </summary>
    public GateResult Result =>
        CandidateBroke || Comparison.Result == GateResult.Fail ? GateResult.Fail
        : !Run.Calls.Complete ? GateResult.Incomplete
        : Run.Baseline is null ? (Thresholds is not { Count: > 0 } ? GateResult.Incomplete : ThresholdProblems.Count > 0 ? GateResult.Fail : Comparison.Result)
        : UnmeasuredGated.Count > 0 ? GateResult.Incomplete
        : Comparison.Result;

    /// <summary>
    /// A gated metric other than the error rate regressed (or, for a candidate-only run, missed its threshold): what the
    /// run found about the candidate's answers, whatever happened to its calls.
    /// </summary>
    public bool RegressedBeyondErrors =>
        Comparison.Metrics.Any(m => m.Gated && m.Verdict == Verdict.Regressed
            && !Run.Config.AllMetrics.Any(e => e.Source == Datasets.MetricSource.Errors && e.Name == m.Name));

    /// <summary>
    /// The candidate's calls failed (after retries) beyond <c>max_error_rate</c> and the baseline's, made by the same run
    /// through the same gateway, did not (or there is no baseline): the candidate is what broke, whatever its metrics.
    /// Scoring errors do not count here: a judge that failed says nothing about the candidate.
    /// </summary>
    public bool CandidateBroke =>
        Run.Calls.Candidate.ErrorRate > Run.Calls.MaxErrorRate && Run.Calls.Baseline.ErrorRate <= Run.Calls.MaxErrorRate;

    /// <summary>
    /// Gated metrics of a comparison that ended with no paired values (no assertion feeds them, every candidate cost
    /// unknown, every pair dropped): the gate cannot judge them, so the run cannot pass.
    /// </summary>
    public IReadOnlyList<string> UnmeasuredGated => Run.Baseline is null
        ? []
        : [.. Run.Config.AllMetrics.Where(m => m.Gate.Gated && Skipped.ContainsKey(m.Name)).Select(m => m.Name)];

    /// <summary>
    /// A candidate-only run fails when a threshold cannot be checked (no such metric, or no values): an unmeasured
    /// requirement is not a met one.
    /// </summary>
    public IReadOnlyList<string> ThresholdProblems => Thresholds is null
        ? []
        : [.. Thresholds.Keys.Where(name => Comparison.Metrics.All(m => m.Name != name)).Order(StringComparer.Ordinal)];

    /// <summary>The metrics to name beside the result: for an incomplete run, the gated metrics it could not measure.</summary>
    public IReadOnlyList<string> Blamed => Result == GateResult.Incomplete
        ? UnmeasuredGated
        : [.. Comparison.Blamed, .. ThresholdProblems, .. CandidateBroke && !Comparison.Blamed.Contains(Run.Config.ErrorRate.Name) ? [Run.Config.ErrorRate.Name] : Array.Empty<string>()];

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
            // The error rate is gated here too: at most max_error_rate, unless the bundle sets its own maximum. The
            // stored thresholds stay the bundle's, which the release gate compares with.
            var judged = new Dictionary<string, double>(thresholds ?? new Dictionary<string, double>(), StringComparer.Ordinal);
            judged.TryAdd(run.Config.ErrorRate.Name, run.Config.MaxErrorRate);
            var absolute = new ThresholdGate(run.Config.ToComparisonOptions()).Compare(set.Samples, judged);
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
    /// Why the run is incomplete (or, for a fail on an incomplete run, which fail), naming each side's failed share and
    /// the first failures (status, code, message); null for a complete run.
    /// </summary>
    public string? IncompleteReason
    {
        get
        {
            var calls = Run.Calls;
            if (calls.Complete)
            {
                if (Result == GateResult.Incomplete && UnmeasuredGated.Count > 0)
                {
                    return "incomplete: gated metric(s) with no values to compare: "
                        + string.Join("; ", UnmeasuredGated.Select(name => $"{name} ({Skipped[name]})"));
                }

                return Result == GateResult.Incomplete ? "incomplete: a candidate-only run needs the bundle's eval.thresholds to be judged on" : null;
            }

            var first = string.Join("; ", Run.FirstErrors().Select(ReportFormat.CallError));
            var scoring = calls.ScoringErrors > 0
                ? $" and {calls.Baseline.ScoringErrors} baseline and {calls.Candidate.ScoringErrors} candidate runs could not be scored"
                : string.Empty;
            // A fail stands on an incomplete run (Result): the note says which fail it is.
            var outcome = CandidateBroke ? "fail (the candidate's own calls failed; the baseline's did not)"
                : Result == GateResult.Fail ? "fail (a regression among the metrics measured; the run is otherwise incomplete)"
                : "incomplete";
            return $"{outcome}: {calls.Baseline.Failed} of {calls.Baseline.Total} baseline and {calls.Candidate.Failed} of {calls.Candidate.Total} candidate calls failed{scoring}, "
                + $"more than the {ReportFormat.Percent(calls.MaxErrorRate)} allowed (max_error_rate); first errors: {first}";
        }
    }
}
