using static LlmGateway.Eval.Tests.Statistics.Sequential.AdaptiveSimulation;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// Regressions: the adaptive planner catches what the fixed 10-repeat design catches, within 4 pp of its power, on a
/// fraction of its calls. See <see cref="AdaptiveSimulation"/>.
/// </summary>
public sealed class AdaptivePowerCalibrationTests
{
    [Fact]
    public void A_subtle_drop_is_caught_about_as_often_as_by_the_fixed_design() => AssertPowerKept(Subtle);

    [Fact]
    public void A_subtle_drop_on_half_the_cases_is_caught_about_as_often_as_by_the_fixed_design() => AssertPowerKept(SubtleHalf);

    [Fact]
    public void A_large_drop_is_always_caught_within_the_first_rounds()
    {
        var figures = Measure(Large);
        Report($"{Large.Name}: failed {Pct(figures.Adaptive.GateFailed)} adaptive on {Pct(figures.Adaptive.CallsFraction)} of the calls; 1 fixed repeat: {Pct(figures.Fixed1.GateFailed)}");

        Assert.Equal(1.0, figures.Adaptive.AccuracyRegressed);
        Assert.InRange(figures.Adaptive.CallsFraction, 0, 0.20);
    }

    [Fact]
    public void A_cost_rise_is_caught_about_as_often_as_by_the_fixed_design() => AssertPowerKept(CostRise);

    private static void AssertPowerKept(AdaptiveScenario scenario)
    {
        var figures = Measure(scenario);
        Report($"{scenario.Name}: failed {Pct(figures.Adaptive.GateFailed)} adaptive on {Pct(figures.Adaptive.CallsFraction)} of the calls "
            + $"({Pct(figures.NoFutility.GateFailed)} without futility on {Pct(figures.NoFutility.CallsFraction)}), {Pct(figures.Fixed10.GateFailed)} fixed 10 repeats");

        // The right metric is blamed, not just some metric: the gate fails on the one that regressed.
        var detected = scenario.AccuracyRegressed ? figures.Adaptive.AccuracyRegressed : figures.Adaptive.CostRegressed;
        var fixedDetected = scenario.AccuracyRegressed ? figures.Fixed10.AccuracyRegressed : figures.Fixed10.CostRegressed;
        Assert.InRange(detected, fixedDetected - 0.04, 1);
    }
}
