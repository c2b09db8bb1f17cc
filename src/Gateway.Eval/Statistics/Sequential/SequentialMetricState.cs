namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// One metric after a look: its status for the planner, its anytime interval, and the verdict the existing
/// <see cref="VerdictRule"/> gives on that interval, so reports can show an adaptive run like a fixed one.
/// </summary>
/// <param name="Interval">
/// The means, delta and anytime interval in the shape reports already read (<see cref="BootstrapResult"/>; its
/// <c>Resamples</c> is 0 because the interval is analytic, and its <c>Confidence</c> is the simultaneous coverage of
/// the whole sequence). Build a <see cref="MetricComparison"/> or an explanation from it as from a bootstrap.
/// </param>
/// <param name="Decision">
/// <see cref="VerdictRule.Decide"/> applied to <see cref="Interval"/>: Regressed, Improved, Unchanged (flagged
/// underpowered when the interval still reaches beyond the tolerance), or Inconclusive in strict mode.
/// </param>
/// <param name="Critical">The multiplier of the standard error at this look: the boundary c_k (1.96 would be an ordinary 95% CI).</param>
internal sealed record SequentialMetricState(
    string Name,
    MetricKind Kind,
    MetricGate Gate,
    SequentialStatus Status,
    BootstrapResult Interval,
    MetricDecision Decision,
    double Critical)
{
    public Verdict Verdict => Decision.Verdict;

    public double Delta => Interval.Delta;

    public double Low => Interval.CiLow;

    public double High => Interval.CiHigh;

    /// <summary>Whether this metric still needs calls: gated and open. Ungated metrics never hold a run open.</summary>
    public bool HoldsRunOpen => Gate.Gated && Status == SequentialStatus.Open;
}
