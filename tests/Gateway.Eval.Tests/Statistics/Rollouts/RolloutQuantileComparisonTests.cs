using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Rollouts;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

public sealed class RolloutQuantileComparisonTests
{
    private const double Alpha = 0.05 / 21;
    private static readonly RolloutOptions Options = RolloutOptions.Default;
    private static readonly RolloutMetric P95 = new("latency_ms.p95", MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, 0.2, CanAbort: false, Quantile: 0.95);
    private static readonly RolloutMetric Mean = new("latency_ms", MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, 0.2, CanAbort: false);

    [Fact]
    public void A_heavier_tail_with_the_same_mean_is_harmful_on_the_p95_while_the_mean_sees_nothing()
    {
        var random = new ChangePointRandom(7);
        var stable = Enumerable.Range(0, 20_000).Select(_ => random.LogNormal(800, 0.5)).ToList();
        var canary = Enumerable.Range(0, 5_000).Select(_ => random.LogNormal(800, QuantileSimulation.SigmaForP95Ratio(1.6))).ToList();

        var p95 = RolloutComparison.CompareQuantiles(P95, QuantileHistogram.Of(stable), QuantileHistogram.Of(canary), paired: false, Alpha, Options);
        var mean = RolloutComparison.Compare(Mean, ArmMoments.Of(stable), ArmMoments.Of(canary), Alpha, Options);

        Assert.Equal(RolloutVerdict.Harmful, p95.Verdict);
        Assert.NotEqual(RolloutVerdict.Harmful, mean.Verdict);
        Assert.Equal(0.95, p95.Quantile);
        Assert.True(p95.Lower > 0.2, $"the interval [{p95.Lower}, {p95.Upper}] is past +20%");
        Assert.InRange(p95.Difference!.Value, 0.45, 0.75);
        Assert.InRange(p95.StableMean!.Value / Quantile(stable, 0.95), 0.95, 1.05);
        Assert.Null(p95.Statistic);
    }

    [Fact]
    public void The_same_distribution_on_both_arms_is_acceptable_once_the_arms_are_large_and_inconclusive_while_small()
    {
        var random = new ChangePointRandom(8);
        var stable = Enumerable.Range(0, 100_000).Select(_ => random.LogNormal(800, 0.5)).ToList();
        var canary = Enumerable.Range(0, 100_000).Select(_ => random.LogNormal(800, 0.5)).ToList();

        var large = RolloutComparison.CompareQuantiles(P95, QuantileHistogram.Of(stable), QuantileHistogram.Of(canary), paired: false, Alpha, Options);
        var small = RolloutComparison.CompareQuantiles(P95, QuantileHistogram.Of(stable.Take(400)), QuantileHistogram.Of(canary.Take(100)), paired: false, Alpha, Options);
        var tooFew = RolloutComparison.CompareQuantiles(P95, QuantileHistogram.Of(stable.Take(20)), QuantileHistogram.Of(canary.Take(20)), paired: false, Alpha, Options);

        Assert.Equal(RolloutVerdict.Acceptable, large.Verdict);
        Assert.True(large.Upper < 0.2);
        Assert.Equal(RolloutVerdict.Inconclusive, small.Verdict);
        Assert.Null(small.Upper);
        Assert.Equal(RolloutVerdict.Inconclusive, tooFew.Verdict);
        Assert.Null(tooFew.Lower);
        Assert.NotNull(tooFew.StableMean);
    }

    [Fact]
    public void An_absolute_threshold_is_judged_in_the_metrics_units()
    {
        var random = new ChangePointRandom(9);
        var stable = QuantileHistogram.Of(Enumerable.Range(0, 20_000).Select(_ => random.LogNormal(100, 0.3)));
        var slower = QuantileHistogram.Of(Enumerable.Range(0, 20_000).Select(_ => random.LogNormal(100, 0.3) + 60));
        var metric = P95 with { ThresholdKind = RolloutThresholdKind.Absolute, Threshold = 30 };

        Assert.Equal(RolloutVerdict.Harmful, RolloutComparison.CompareQuantiles(metric, stable, slower, paired: false, Alpha, Options).Verdict);
        Assert.Equal(RolloutVerdict.Acceptable, RolloutComparison.CompareQuantiles(metric with { Threshold = 100 }, stable, slower, paired: false, Alpha, Options).Verdict);
    }

    [Fact]
    public void The_judge_reads_a_quantile_metric_from_its_histograms_and_never_from_the_moments()
    {
        var random = new ChangePointRandom(10);
        var stable = Enumerable.Range(0, 20_000).Select(_ => random.LogNormal(800, 0.5)).ToList();
        var canary = Enumerable.Range(0, 5_000).Select(_ => random.LogNormal(800, QuantileSimulation.SigmaForP95Ratio(1.6))).ToList();
        var state = new RolloutStepState(0, 3, TimeSpan.FromMinutes(30));
        var step = new RolloutPlanStep(2500, TimeSpan.FromMinutes(5), 1000);
        var moments = new Dictionary<string, (ArmMoments, ArmMoments)> { ["latency_ms"] = (ArmMoments.Of(stable), ArmMoments.Of(canary)) };
        var histograms = new Dictionary<string, (QuantileHistogram, QuantileHistogram)> { ["latency_ms.p95"] = (QuantileHistogram.Of(stable), QuantileHistogram.Of(canary)) };

        var decision = RolloutJudge.Decide(state, step, [Mean, P95], moments, Options, histograms);
        var without = RolloutJudge.Decide(state, step, [Mean, P95], moments, Options);

        Assert.Equal((RolloutAction.Pause, "latency_ms.p95"), (decision.Action, decision.Metric));
        Assert.Equal(RolloutVerdict.Inconclusive, without.Verdicts[1].Verdict);
        Assert.Equal(0, without.Verdicts[1].CanaryCount);
        Assert.Throws<ArgumentException>(() => RolloutComparison.CompareQuantiles(Mean, QuantileHistogram.Empty, QuantileHistogram.Empty, paired: false, Alpha, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => (Mean with { Quantile = 1.0 }).Validate());
    }

    private static double Quantile(List<double> values, double p) => values.Order().ElementAt((int)Math.Ceiling(p * values.Count) - 1);
}
