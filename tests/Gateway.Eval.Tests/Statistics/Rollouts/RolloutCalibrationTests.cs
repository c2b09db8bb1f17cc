using LlmGateway.Eval.Statistics.Rollouts;
using static LlmGateway.Eval.Tests.Statistics.Rollouts.RolloutFigures;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

/// <summary>
/// The default plan, metrics and options against seeded rollouts at 20 requests a second with a look every 10 seconds
/// (<see cref="RolloutSimulation"/>, run once): the goals of issue #17.
/// </summary>
public sealed class RolloutCalibrationTests
{
    [Fact]
    public void An_equivalent_canary_is_promoted_through_every_step_with_at_most_5_percent_false_aborts()
    {
        var figures = Scenario(SimulatedCanary.Equivalent);
        Write($"A/A: promoted {Pct(figures.Promoted)}, aborted {Pct(figures.Aborted)}, paused inconclusive {Pct(figures.PausedInconclusive)}, median {figures.MedianMinutesToPromotion:0.0} min to promotion (p95 {figures.P95MinutesToPromotion:0.0})");

        Assert.True(figures.Trials >= 200);
        Assert.InRange(figures.Aborted, 0, 0.05);
        Assert.True(figures.Promoted >= 0.95, $"promoted {Pct(figures.Promoted)}");
        Assert.InRange(figures.MedianMinutesToPromotion, 15, 60);
    }

    [Theory]
    [InlineData(SimulatedCanary.ErrorRatePlus5Points)]
    [InlineData(SimulatedCanary.RefusalRatePlus10Points)]
    [InlineData(SimulatedCanary.CostPlus40Percent)]
    public void A_harmful_canary_is_aborted_at_its_first_or_second_step_naming_the_metric(SimulatedCanary canary)
    {
        var figures = Scenario(canary);
        Write($"{canary}: aborted {Pct(figures.Aborted)} (by the 2nd user step {Pct(figures.AbortedByFirstTwoUserSteps)}, naming {RolloutSimulation.ExpectedMetric(canary)} {Pct(figures.AbortedNamingMetric)}), median {figures.MedianMinutesToStop:0.0} min");

        Assert.True(figures.AbortedByFirstTwoUserSteps >= 0.95, $"aborted by the second step {Pct(figures.AbortedByFirstTwoUserSteps)}");
        Assert.True(figures.AbortedNamingMetric >= 0.95, $"aborted naming the metric {Pct(figures.AbortedNamingMetric)}");
        Assert.Equal(0, figures.Promoted);
    }

    [Fact]
    public void A_latency_regression_pauses_because_latency_is_pause_only()
    {
        var figures = Scenario(SimulatedCanary.LatencyPlus50Percent);

        Assert.Equal(0, figures.Aborted);
        Assert.True(figures.PausedHarmful >= 0.95);
        Assert.True(figures.StoppedNamingMetric >= 0.95);
    }

    [Theory]
    [InlineData(SimulatedCanary.ErrorRatePlus5Points)]
    [InlineData(SimulatedCanary.RefusalRatePlus10Points)]
    [InlineData(SimulatedCanary.CostPlus40Percent)]
    public void A_regressed_candidate_in_a_shadow_step_is_aborted_before_any_user_facing_step(SimulatedCanary canary)
    {
        var figures = Scenario(canary, withShadowStep: true);
        Write($"{canary} with shadow: aborted at the shadow step {Pct(figures.AbortedAtShadow)}, median {figures.MedianMinutesToStop:0.0} min");

        Assert.True(figures.AbortedAtShadow >= 0.95, $"aborted at the shadow step {Pct(figures.AbortedAtShadow)}");
        Assert.True(figures.AbortedNamingMetric >= 0.95);
    }

    [Fact]
    public void An_equivalent_candidate_passes_the_shadow_step_and_is_promoted()
    {
        var figures = Scenario(SimulatedCanary.Equivalent, withShadowStep: true);

        Assert.InRange(figures.Aborted, 0, 0.05);
        Assert.True(figures.Promoted >= 0.95);
    }

    [Fact]
    public void Looking_every_10_seconds_keeps_the_sequence_within_alpha_where_a_fixed_sample_test_is_not()
    {
        foreach (var looks in Report.RepeatedLooks)
        {
            Write($"{looks.Metric}: sequence harmful {Pct(looks.SequenceHarmful)}, acceptable {Pct(looks.SequenceAcceptable)}; fixed test harmful at some look {Pct(looks.FixedHarmful)}, at the last {Pct(looks.FixedHarmfulAtEnd)} (α {looks.Alpha})");

            Assert.InRange(looks.SequenceHarmful, 0, looks.Alpha);
            Assert.InRange(looks.SequenceAcceptable, 0, looks.Alpha);
            Assert.True(looks.FixedHarmful > 3 * looks.Alpha, "peeking at a fixed-sample test should inflate its error rate");
        }
    }

    [Fact]
    public void The_documented_report_is_printed()
    {
        var text = Report.Format();
        Write(text);

        Assert.Equal(RolloutSimulation.DefaultTrials, Report.Trials);
        Assert.Contains("Equivalent", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_gives_the_same_figures()
    {
        var first = RolloutSimulation.Measure(SimulatedCanary.CostPlus40Percent, withShadowStep: false, trials: 5, seed: 3);
        var second = RolloutSimulation.Measure(SimulatedCanary.CostPlus40Percent, withShadowStep: false, trials: 5, seed: 3);

        Assert.Equal(first.MedianMinutesToStop, second.MedianMinutesToStop);
        Assert.Equal(first.StopsByStep, second.StopsByStep);
    }
}
