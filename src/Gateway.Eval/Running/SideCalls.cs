namespace LlmGateway.Eval.Running;

/// <summary>
/// How many calls one side of a run made, how many of them failed after retries, and how many succeeded but could
/// not be fully scored (a scorer errored: no judge model, a failed judge or embedding call).
/// </summary>
internal sealed record SideCalls(int Total, int Failed, int ScoringErrors = 0)
{
    /// <summary>The failed share; 0 for a side with no calls.</summary>
    public double ErrorRate => Total == 0 ? 0 : (double)Failed / Total;

    /// <summary>The share of runs with no full score: failed calls plus scoring errors.</summary>
    public double UnscoredRate => Total == 0 ? 0 : (double)(Failed + ScoringErrors) / Total;
}
