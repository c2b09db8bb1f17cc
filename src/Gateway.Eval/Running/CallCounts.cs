namespace LlmGateway.Eval.Running;

/// <summary>
/// The calls behind a run, per side. A run is <b>complete</b> when neither side's unscored share (failed calls plus
/// runs a scorer could not judge) exceeds the config's <c>max_error_rate</c>: beyond that the surviving pairs are no
/// longer the dataset the gate was meant to judge.
/// </summary>
internal sealed record CallCounts(SideCalls Baseline, SideCalls Candidate, double MaxErrorRate)
{
    public int Total => Baseline.Total + Candidate.Total;

    public int Failed => Baseline.Failed + Candidate.Failed;

    public int ScoringErrors => Baseline.ScoringErrors + Candidate.ScoringErrors;

    public bool Complete => Baseline.UnscoredRate <= MaxErrorRate && Candidate.UnscoredRate <= MaxErrorRate;
}
