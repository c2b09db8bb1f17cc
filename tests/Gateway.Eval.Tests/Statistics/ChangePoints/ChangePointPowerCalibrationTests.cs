using LlmGateway.Eval.Statistics.ChangePoints;
using static LlmGateway.Eval.Tests.Statistics.ChangePoints.ChangePointFigures;

namespace LlmGateway.Eval.Tests.Statistics.ChangePoints;

/// <summary>Steps at minute 30 of the hour, found by the evaluator's minute-by-minute looks before the hour ends.</summary>
public sealed class ChangePointPowerCalibrationTests
{
    [Fact]
    public void A_ten_point_refusal_step_is_found_within_the_hour_in_at_least_95_percent_of_hours_at_20_a_minute()
    {
        var p = Power(SimulatedStep.RefusalPlus10Points, 20);
        Describe(p);

        Assert.True(p.Trials >= 500);
        Assert.InRange(p.Detected, 0.95, 1);
        Assert.InRange(p.WrongDirection, 0, 0.01);
        Assert.InRange(p.BoundaryWithinTwoMinutes, 0.8, 1);
    }

    [Fact]
    public void A_zero_baseline_that_starts_refusing_is_found_going_up_at_the_step()
    {
        // What an end-to-end test sees when the stable mock never refuses.
        var p = Power(SimulatedStep.RefusalFromZeroTo15Percent, 20);
        Describe(p);

        Assert.InRange(p.Detected, 0.99, 1);
        Assert.Equal(0, p.WrongDirection);
        Assert.Equal(0, p.FalseAlarmBeforeStep);
        Assert.InRange(p.BoundaryWithinTwoMinutes, 0.99, 1);
        Assert.InRange(p.MedianMinutesToDetection, 1, 5);
    }

    [Fact]
    public void Smaller_and_value_steps_are_reported()
    {
        foreach (var p in Report.Power)
        {
            Describe(p);
        }

        // Larger traffic finds the same step sooner in minutes and at least as often.
        var slow = Power(SimulatedStep.RefusalPlus10Points, 5);
        var fast = Power(SimulatedStep.RefusalPlus10Points, 100);
        Assert.True(fast.Detected >= slow.Detected);
        Assert.True(fast.MedianMinutesToDetection <= Power(SimulatedStep.RefusalPlus10Points, 20).MedianMinutesToDetection);
        Assert.InRange(Power(SimulatedStep.OutputTokensPlus40Percent, 100).Detected, 0.95, 1);
    }

    private static void Describe(PowerFigures p) =>
        Write($"{p.Step} at {p.SamplesPerMinute}/min: detected {Pct(p.Detected)}, wrong direction {Pct(p.WrongDirection)}, "
            + $"false alarm before step {Pct(p.FalseAlarmBeforeStep)}, samples after step median {p.MedianSamplesToDetection:0} p95 {p.P95SamplesToDetection:0}, "
            + $"median {p.MedianMinutesToDetection:0.#} min, boundary ±2 min {Pct(p.BoundaryWithinTwoMinutes)}");
}
