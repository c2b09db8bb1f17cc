using LlmGateway.Eval.Statistics.Rollouts;
using static LlmGateway.Eval.Tests.Statistics.Rollouts.RolloutFigures;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

/// <summary>
/// The p95 comparison against seeded rollout steps (<see cref="QuantileSimulation"/>, run once): looked at every 10
/// seconds, it must keep its error rates, and find a heavier tail the mean does not see. docs/canary-analysis.md quotes
/// the table.
/// </summary>
public sealed class QuantileCalibrationTests
{
    private static readonly Lazy<IReadOnlyList<QuantileScenarioFigures>> Figures = new(() =>
    {
        var figures = QuantileSimulation.Run();
        Write(QuantileSimulation.Format(figures));
        return figures;
    });

    private static QuantileScenarioFigures Scenario(double p95Ratio, int weightBps, double alpha) =>
        Figures.Value.Single(f => f.Scenario.P95Ratio == p95Ratio && f.Scenario.WeightBps == weightBps && f.Scenario.Alpha == alpha);

    [Fact]
    public void An_equivalent_canary_is_never_called_harmful_at_any_of_its_looks_more_often_than_alpha()
    {
        Assert.InRange(Scenario(1.0, 500, 0.05).Harmful, 0, 0.05);
        Assert.InRange(Scenario(1.0, 500, QuantileSimulation.PlanAlpha).Harmful, 0, 0.05);
        Assert.InRange(Scenario(1.0, 2500, QuantileSimulation.PlanAlpha).Harmful, 0, 0.05);
        Assert.All(Figures.Value, f => Assert.True(f.Trials >= 200));
    }

    [Fact]
    public void A_canary_at_the_threshold_is_called_acceptable_at_some_look_at_most_alpha_of_the_time()
    {
        Assert.InRange(Scenario(1.2, 500, 0.05).Acceptable, 0, 0.05);
    }

    [Fact]
    public void A_heavier_tail_with_the_same_mean_is_found_by_the_p95_in_its_step_and_never_by_the_mean()
    {
        var first = Scenario(1.75, 500, QuantileSimulation.PlanAlpha);
        var second = Scenario(1.75, 2500, QuantileSimulation.PlanAlpha);
        var halfFirst = Scenario(1.5, 500, QuantileSimulation.PlanAlpha);
        var halfSecond = Scenario(1.5, 2500, QuantileSimulation.PlanAlpha);
        Write($"p95 +75%: harmful {Pct(first.Harmful)} at 5% (median {first.MedianMinutesToHarmful:0.0} min), {Pct(second.Harmful)} at 25%; +50%: {Pct(halfFirst.Harmful)} and {Pct(halfSecond.Harmful)}");

        Assert.True(first.Harmful >= 0.95, Pct(first.Harmful));
        Assert.True(second.Harmful >= 0.95, Pct(second.Harmful));
        // +50% (2.5 times the threshold) within one step most of the time: the documented figures, kept from regressing.
        Assert.True(halfFirst.Harmful >= 0.75 && halfSecond.Harmful >= 0.75, $"{Pct(halfFirst.Harmful)}, {Pct(halfSecond.Harmful)}");
        Assert.All(Figures.Value.Where(f => f.Scenario.P95Ratio > 1), f => Assert.InRange(f.MeanHarmful, 0, 0.05));
    }

    [Fact]
    public void An_equivalent_canary_is_shown_acceptable_within_its_step_nearly_always()
    {
        Assert.True(Scenario(1.0, 500, QuantileSimulation.PlanAlpha).Acceptable >= 0.9);
        Assert.True(Scenario(1.0, 2500, QuantileSimulation.PlanAlpha).Acceptable >= 0.95);
    }
}
