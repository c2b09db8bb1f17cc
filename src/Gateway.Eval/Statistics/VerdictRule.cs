namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Turns a metric's CI into a verdict. Everything is first oriented so that positive means better (a lower-is-better
/// metric's delta and CI are negated), with t ≥ 0 the tolerated regression in the delta's units:
/// <list type="bullet">
/// <item><b>Regressed</b>: the CI's good end is below 0 (it excludes zero on the bad side) and the delta is below −t.
/// Both are required: significance alone would fail on a real but tolerated 0.5 pp drop, size alone on noise.</item>
/// <item><b>Improved</b>: the CI's bad end is above 0. The tolerance is an allowance for regressions, not a bar for
/// improvements, so any clear improvement counts; it never changes the gate either way.</item>
/// <item><b>Inconclusive</b> (strict mode): not regressed, yet the CI's bad end is below −t, so the data cannot rule out
/// a regression the gate would not tolerate. Outside strict mode the same case is <b>unchanged</b> but flagged
/// <see cref="MetricDecision.Underpowered"/>, with the same "more cases" estimate, so a pass never hides it.</item>
/// <item>Otherwise <b>unchanged</b>.</item>
/// <item>An interval without finite ends is <b>inconclusive</b> in either mode: it measured nothing.</item>
/// </list>
/// </summary>
internal static class VerdictRule
{
    /// <summary>Beyond this, "more cases" is not advice anyone can take; report it as not settleable.</summary>
    private const double MaxMoreCases = 1e9;

    public static MetricDecision Decide(BootstrapResult result, MetricGate gate, bool strict)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(gate);
        var sign = gate.Direction == MetricDirection.HigherIsBetter ? 1.0 : -1.0;
        var delta = sign * result.Delta;
        var worst = sign > 0 ? result.CiLow : -result.CiHigh;
        var best = sign > 0 ? result.CiHigh : -result.CiLow;
        var tolerance = gate.ToleranceInDeltaUnits(result.BaselineMean);

        // An interval without finite ends (a metric measured on one case, once, in an adaptive run) says nothing about
        // the candidate: inconclusive whatever the mode, never an "unchanged" that passes.
        if (!double.IsFinite(result.CiLow) || !double.IsFinite(result.CiHigh))
        {
            return new MetricDecision(Verdict.Inconclusive, tolerance, null, Underpowered: true);
        }

        if (best < 0 && delta < -tolerance)
        {
            return new MetricDecision(Verdict.Regressed, tolerance, null);
        }

        if (worst > 0)
        {
            return new MetricDecision(Verdict.Improved, tolerance, null);
        }

        if (worst < -tolerance)
        {
            return new MetricDecision(strict ? Verdict.Inconclusive : Verdict.Unchanged, tolerance, MoreCases(result.Cases, delta, worst, best, tolerance), Underpowered: true);
        }

        return new MetricDecision(Verdict.Unchanged, tolerance, null);
    }

    /// <summary>
    /// A CI's half-width shrinks like 1/√n, so reaching half-width h' from h takes n·(h/h')² cases. If the delta is
    /// inside the tolerance, settling means pulling the bad end in to −t: h' = delta + t, h = delta − bad end. If the
    /// delta is already beyond it (the CI only reaches back across zero), settling means a regression: h' = |delta|,
    /// h = good end − delta. A delta exactly on the boundary cannot be settled by more cases (null).
    /// </summary>
    private static long? MoreCases(int cases, double delta, double worst, double best, double tolerance)
    {
        double needed, now;
        if (delta + tolerance > 0)
        {
            needed = delta + tolerance;
            now = delta - worst;
        }
        else
        {
            needed = -delta;
            now = best - delta;
        }

        if (!(needed > 0) || !(now > 0))
        {
            return null;
        }

        var ratio = now / needed;
        var more = cases * ((ratio * ratio) - 1);
        if (!(more < MaxMoreCases))
        {
            return null;
        }

        return Math.Max(1, (long)Math.Ceiling(more));
    }
}
