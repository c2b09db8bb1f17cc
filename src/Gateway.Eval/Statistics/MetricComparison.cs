namespace LlmGateway.Eval.Statistics;

/// <summary>
/// One metric's line in the report. Means are over cases (repeats averaged first); Delta is candidate − baseline
/// with its CI; Tolerance is in the delta's units (a relative tolerance already scaled by the baseline mean).
/// <see cref="Underpowered"/> marks a metric whose CI still reaches beyond the tolerance on the bad side;
/// <see cref="MoreCasesNeeded"/> and <see cref="RepeatsNeeded"/> then say what would settle it.
/// </summary>
internal sealed record MetricComparison(
    string Name,
    MetricKind Kind,
    bool Gated,
    double BaselineMean,
    double CandidateMean,
    double Delta,
    double CiLow,
    double CiHigh,
    McNemarResult? McNemar,
    int Cases,
    int Repeats,
    double Tolerance,
    Verdict Verdict,
    long? MoreCasesNeeded,
    string Explanation,
    bool Underpowered = false,
    int? RepeatsNeeded = null)
{
    /// <summary>The exact McNemar p-value; rates only.</summary>
    public double? McNemarP => McNemar?.P;
}
