using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Statistics;

public sealed class ThresholdGateTests
{
    private static readonly ThresholdGate Gate = new(new ComparisonOptions { Resamples = 500, Seed = 3 });

    [Theory]
    [InlineData(18, 20, 0.9, true)]
    [InlineData(17, 20, 0.9, false)]
    [InlineData(20, 20, 1.0, true)]
    public void A_higher_is_better_metric_must_reach_its_minimum(int passes, int cases, double threshold, bool met)
    {
        var report = Gate.Compare([Rate("accuracy", passes, cases, MetricGate.HigherIsBetter(0.05))], new Dictionary<string, double> { ["accuracy"] = threshold });

        var metric = Assert.Single(report.Metrics);
        Assert.Equal(met ? Verdict.Unchanged : Verdict.Regressed, metric.Verdict);
        Assert.Equal(met ? GateResult.Pass : GateResult.Fail, report.Result);
        Assert.Equal(threshold, metric.BaselineMean);
        Assert.Equal((double)passes / cases, metric.CandidateMean, 9);
        Assert.True(metric.CiLow <= metric.Delta && metric.Delta <= metric.CiHigh);
    }

    [Fact]
    public void A_share_that_equals_its_threshold_meets_it_despite_round_off()
    {
        // 30 cases × 3 repeats with 72 of 90 passes is exactly 80%, but the mean of per-case means is 0.7999999999999997.
        var values = Enumerable.Range(0, 30)
            .Select(i => (IReadOnlyList<double>)(i < 20 ? [1.0, 1.0, 1.0] : i < 22 ? [1.0, 1.0, 0.0] : [1.0, 0.0, 0.0]))
            .ToList();
        var metric = new MetricSamples("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0.05), PairedSamples.FromCases(values, values));

        var report = Gate.Compare([metric], new Dictionary<string, double> { ["accuracy"] = 0.8 });

        Assert.Equal(GateResult.Pass, report.Result);
    }

    [Fact]
    public void A_lower_is_better_metric_must_stay_at_or_under_its_maximum()
    {
        var refusals = Rate("refusals", 3, 20, new MetricGate(MetricDirection.LowerIsBetter, 0.05, ToleranceKind.Absolute));

        var under = Gate.Compare([refusals], new Dictionary<string, double> { ["refusals"] = 0.2 });
        var over = Gate.Compare([refusals], new Dictionary<string, double> { ["refusals"] = 0.1 });

        Assert.Equal(GateResult.Pass, under.Result);
        Assert.Equal(GateResult.Fail, over.Result);
        Assert.Contains("above its maximum of 10.0%", over.Metrics[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_without_a_threshold_are_reported_ungated_and_never_decide()
    {
        var report = Gate.Compare([Rate("accuracy", 0, 20, MetricGate.HigherIsBetter(0.05))], new Dictionary<string, double>());

        var metric = Assert.Single(report.Metrics);
        Assert.False(metric.Gated);
        Assert.True(double.IsNaN(metric.Delta));
        Assert.Equal(GateResult.Pass, report.Result);
    }

    private static MetricSamples Rate(string name, int passes, int cases, MetricGate gate)
    {
        var values = Enumerable.Range(0, cases).Select(i => (IReadOnlyList<double>)[i < passes ? 1.0 : 0.0]).ToList();
        return new MetricSamples(name, MetricKind.Rate, gate, PairedSamples.FromCases(values, values));
    }
}
