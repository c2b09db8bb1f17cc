using LlmGateway.Eval.Statistics;
using static LlmGateway.Eval.Tests.Statistics.CalibrationSimulation;

namespace LlmGateway.Eval.Tests.Statistics;

/// <summary>The gate on a lower-is-better continuous metric with a relative tolerance. See <see cref="CalibrationSimulation"/>.</summary>
public sealed class CostCalibrationTests
{
    private static readonly MetricGate ZeroTolerance = MetricGate.LowerIsBetterRelative(0);
    private static readonly MetricGate TenPercent = MetricGate.LowerIsBetterRelative(0.10);

    [Fact]
    public void AA_cost_noise_rarely_raises_a_false_alarm()
    {
        var (zero, tenPercent, inconclusive) = Rates(r => Cost(r, 1.0), ZeroTolerance, TenPercent, kind: MetricKind.Continuous);
        Report($"Cost A/A (log-normal per case, 20% run noise): regressed {zero:P1} (tolerance 0), {tenPercent:P1} (10%); strict inconclusive {inconclusive:P1}");

        Assert.InRange(zero, 0, 0.05);
        Assert.InRange(tenPercent, 0, zero);
    }

    [Fact]
    public void AB_a_20_percent_cost_rise_is_flagged_beyond_a_10_percent_tolerance()
    {
        var (_, detected, _) = Rates(r => Cost(r, 1.2), ZeroTolerance, TenPercent, kind: MetricKind.Continuous);
        Report($"Cost A/B +20%: regressed {detected:P1} (10%)");

        Assert.InRange(detected, 0.95, 1);
    }
}
