namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Every metric's comparison and the gate's result, with the gated metrics to blame: those that regressed when it
/// fails, those that are inconclusive when it is inconclusive, none when it passes.
/// </summary>
internal sealed record ComparisonReport(
    IReadOnlyList<MetricComparison> Metrics,
    GateResult Result,
    IReadOnlyList<string> Blamed,
    bool Strict,
    double Confidence,
    int Resamples,
    long Seed)
{
    public int ExitCode => EvalExitCodes.For(Result);

    /// <summary>
    /// Fail when any gated metric regressed; otherwise inconclusive when any gated metric is (only strict mode
    /// produces that verdict); otherwise pass. Ungated metrics are reported but never decide.
    /// </summary>
    public static (GateResult Result, IReadOnlyList<string> Blamed) Aggregate(IReadOnlyList<MetricComparison> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var regressed = metrics.Where(m => m.Gated && m.Verdict == Verdict.Regressed).Select(m => m.Name).ToList();
        if (regressed.Count > 0)
        {
            return (GateResult.Fail, regressed);
        }

        var inconclusive = metrics.Where(m => m.Gated && m.Verdict == Verdict.Inconclusive).Select(m => m.Name).ToList();
        return inconclusive.Count > 0 ? (GateResult.Inconclusive, inconclusive) : (GateResult.Pass, []);
    }
}
