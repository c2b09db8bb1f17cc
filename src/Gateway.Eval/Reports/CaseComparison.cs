using LlmGateway.Eval.Running;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// One case's outcome on both versions: the share of repeats that passed every assertion on each side.
/// <see cref="Change"/> &lt; 0 means the candidate passes the case less often. A candidate-only run (absolute
/// thresholds) has no baseline record; its baseline pass rate is then 1, so every failing case reads as a drop.
/// </summary>
internal sealed record CaseComparison(RunCase Case, double BaselinePassRate, double CandidatePassRate, int CandidateFailures, int CandidateErrors, RunRecord? Baseline, RunRecord Candidate)
{
    public double Change => CandidatePassRate - BaselinePassRate;

    public static IEnumerable<CaseComparison> All(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var runCase in run.Cases)
        {
            var repeats = run.RepeatsOf(runCase.Index);
            if (repeats == 0)
            {
                continue;
            }

            var baseline = run.Baseline is null ? null : Enumerable.Range(0, repeats).Select(r => run.Get(runCase.Index, r, RunSide.Baseline)).ToList();
            var candidate = Enumerable.Range(0, repeats).Select(r => run.Get(runCase.Index, r, RunSide.Candidate)).ToList();

            // Show the first failing candidate repeat (and its baseline partner): the one that explains the change.
            var shown = candidate.FindIndex(r => !r.Passed);
            shown = shown < 0 ? 0 : shown;
            yield return new CaseComparison(
                runCase,
                baseline is null ? 1 : baseline.Count(r => r.Passed) / (double)repeats,
                candidate.Count(r => r.Passed) / (double)repeats,
                candidate.Count(r => !r.Passed),
                candidate.Count(r => r.IsError),
                baseline?[shown],
                candidate[shown]);
        }
    }

    /// <summary>The cases whose pass rate dropped most, worst first; ties go to the case with more errors, then file order.</summary>
    public static IReadOnlyList<CaseComparison> WorstRegressed(RunResult run, int count) =>
        [.. All(run).Where(c => c.Change < 0).OrderBy(c => c.Change).ThenByDescending(c => c.CandidateErrors).ThenBy(c => c.Case.Index).Take(count)];
}
