using LlmGateway.Eval.Statistics.ChangePoints;
using static LlmGateway.Eval.Tests.Statistics.ChangePoints.ChangePointFigures;

namespace LlmGateway.Eval.Tests.Statistics.ChangePoints;

/// <summary>
/// A/A: two identical versions for an hour, the evaluator looking every minute at seven metrics. The defaults must
/// leave at least 95% of hours without a recorded change on any of them, at every traffic level.
/// </summary>
public sealed class ChangePointFalseAlarmCalibrationTests
{
    [Theory]
    [InlineData(5.0)]
    [InlineData(20.0)]
    [InlineData(100.0)]
    public void An_hour_of_identical_versions_raises_no_change_on_any_metric_in_at_least_95_percent_of_hours(double samplesPerMinute)
    {
        var figures = FalseAlarms(samplesPerMinute);
        foreach (var metric in figures.PerMetric)
        {
            Write($"{samplesPerMinute}/min {metric.Metric}: {Pct(metric.Rate)} of hours (hour-max statistic p99 {metric.HourMaxP99:0.0})");
        }

        Write($"{samplesPerMinute}/min any metric: {Pct(figures.FamilyWise)} of hours");

        Assert.True(figures.Trials >= 500);
        Assert.InRange(figures.FamilyWise, 0, 0.05);
    }

    [Fact]
    public void Heavy_tailed_values_need_their_own_higher_threshold()
    {
        // The lognormal(σ = 1) metrics' null maximum sits well above the rates': at the rate threshold they alone
        // would false-alarm far more often than the goal allows.
        var figures = FalseAlarms(100);
        var latency = figures.PerMetric.Single(m => m.Metric == SimulatedMetric.LatencyMs);
        var refusals = figures.PerMetric.Single(m => m.Metric == SimulatedMetric.RefusalRate);

        Assert.True(latency.HourMaxP99 > refusals.HourMaxP99);
        Assert.True(ChangePointOptions.Default.ValueThreshold > ChangePointOptions.Default.RateThreshold);
        Assert.True(latency.HourMaxP99 <= ChangePointOptions.Default.ValueThreshold);
    }

    [Fact]
    public void The_documented_report_is_printed()
    {
        var text = Report.Format();
        Write(text);

        Assert.Contains("any metric", text, StringComparison.Ordinal);
        Assert.Equal(ChangePointSimulation.SampleRates.Count, Report.FalseAlarms.Count);
    }
}
