using LlmGateway.Eval.Running;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// One case's outcome on both versions: the share of repeats that passed every assertion on each side.
/// <see cref="Change"/> &lt; 0 means the candidate passes the case less often.
/// </summary>
internal sealed record CaseComparison(RunCase Case, double BaselinePassRate, double CandidatePassRate, int CandidateFailures, int CandidateErrors, RunRecord Baseline, RunRecord Candidate)
{
    public double Change => CandidatePassRate - BaselinePassRate;

    public static IEnumerable<CaseComparison> All(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var runCase in run.Cases)
        {
            var baseline = Enumerable.Range(0, run.Repeats).Select(r => run.Get(runCase.Index, r, RunSide.Baseline)).ToList();
            var candidate = Enumerable.Range(0, run.Repeats).Select(r => run.Get(runCase.Index, r, RunSide.Candidate)).ToList();

            // Show the first failing candidate repeat (and its baseline partner): the one that explains the change.
            var shown = candidate.FindIndex(r => !r.Passed);
            shown = shown < 0 ? 0 : shown;
            yield return new CaseComparison(
                runCase,
                baseline.Count(r => r.Passed) / (double)run.Repeats,
                candidate.Count(r => r.Passed) / (double)run.Repeats,
                candidate.Count(r => !r.Passed),
                candidate.Count(r => r.IsError),
                baseline[shown],
                candidate[shown]);
        }
    }

    /// <summary>The cases whose pass rate dropped most, worst first; ties go to the case with more errors, then file order.</summary>
    public static IReadOnlyList<CaseComparison> WorstRegressed(RunResult run, int count) =>
        [.. All(run).Where(c => c.Change < 0).OrderBy(c => c.Change).ThenByDescending(c => c.CandidateErrors).ThenBy(c => c.Case.Index).Take(count)];
}
