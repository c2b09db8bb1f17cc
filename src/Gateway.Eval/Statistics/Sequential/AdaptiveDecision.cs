namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// The planner's answer after a round: continue or stop, why, and every metric's state. When it stops, each
/// metric's <see cref="SequentialMetricState.Decision"/> is its verdict.
/// </summary>
/// <param name="Rounds">Repeats per case run so far (the most any metric has).</param>
/// <param name="NextRepeats">When continuing, the repeats per case after the next round (<see cref="Rounds"/> + 1); else null.</param>
internal sealed record AdaptiveDecision(
    SequentialAction Action,
    SequentialStopReason Reason,
    int Rounds,
    int CallsSpent,
    int? NextRepeats,
    IReadOnlyList<SequentialMetricState> Metrics)
{
    public bool Continue => Action == SequentialAction.Continue;

    /// <summary>Gated metrics that regressed: the ones to blame when the gate fails.</summary>
    public IReadOnlyList<string> Regressed =>
        [.. Metrics.Where(m => m.Gate.Gated && m.Verdict == Verdict.Regressed).Select(m => m.Name)];
}
