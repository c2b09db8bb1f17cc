using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Rollouts;

namespace LlmGateway.Tests.Rollouts.Unit;

/// <summary>
/// A plan judges a quantile of a series that keeps a histogram by its name with a <c>.pNN</c> suffix
/// (<c>latency_ms.p95</c>, <c>ttft_ms.p99</c>), beside or instead of its mean.
/// </summary>
public sealed class RolloutPlanReaderQuantileTests
{
    [Fact]
    public void A_latency_quantile_is_read_with_its_series_and_quantile_beside_the_mean_of_the_same_series()
    {
        var errors = new List<FieldError>();
        var plan = RolloutPlanReader.Read(Plan(
            new RolloutMetricSpec { Metric = "latency_ms", Threshold = 0.2, Relative = true, Abort = false },
            new RolloutMetricSpec { Metric = "latency_ms.p95", Threshold = 0.25, Relative = true, Abort = false },
            new RolloutMetricSpec { Metric = "ttft_ms.p99", Direction = "lower", Threshold = 150 }), OnlineEvalPlan.Empty, errors);

        Assert.Empty(errors);
        Assert.Equal(
            [("latency_ms", "latency_ms", (double?)null, true), ("latency_ms.p95", "latency_ms", 0.95, true), ("ttft_ms.p99", "ttft_ms", 0.99, false)],
            plan!.Metrics.Select(m => (m.Metric, m.Series, m.Quantile, m.Relative)));
        Assert.True(RolloutPlanReader.IsBuiltIn("latency_ms.p95"));
    }

    [Theory]
    [InlineData("cost_usd.p95")]
    [InlineData("latency_ms.p100")]
    [InlineData("latency_ms.p5")]
    [InlineData("latency_ms.p49")]
    [InlineData("latency_ms.p9.5")]
    [InlineData("latency_ms.p")]
    [InlineData(".p95")]
    public void A_quantile_of_a_series_without_a_histogram_or_out_of_range_is_refused_with_its_field(string metric)
    {
        var errors = new List<FieldError>();

        Assert.Null(RolloutPlanReader.Read(Plan(new RolloutMetricSpec { Metric = metric, Threshold = 0.2, Relative = true }), OnlineEvalPlan.Empty, errors));

        var error = Assert.Single(errors);
        Assert.Equal("plan.metrics[0].metric", error.Field);
        Assert.Contains("latency_ms.p50", error.Message, StringComparison.Ordinal);
        Assert.False(RolloutPlanReader.IsBuiltIn(metric));
    }

    [Fact]
    public void A_quantile_is_better_lower_and_cannot_be_judged_twice()
    {
        var errors = new List<FieldError>();

        Assert.Null(RolloutPlanReader.Read(Plan(
            new RolloutMetricSpec { Metric = "latency_ms.p95", Direction = "higher", Threshold = 0.2, Relative = true },
            new RolloutMetricSpec { Metric = "latency_ms.p90", Threshold = 0.2, Relative = true },
            new RolloutMetricSpec { Metric = "latency_ms.p90", Threshold = 0.3, Relative = true }), OnlineEvalPlan.Empty, errors));

        Assert.Equal(["plan.metrics[0].direction", "plan.metrics[2].metric"], errors.Select(e => e.Field));
    }

    [Fact]
    public void A_bundle_metric_stored_under_a_quantile_name_before_it_was_reserved_stays_the_bundles()
    {
        // Pushed before the names were reserved: its online_eval still reads (not refused whole), and a plan naming it
        // judges the bundle's pass rate, not the latency quantile (a 0.05 pass-rate threshold read as 0.05 ms aborts).
        var block = new PromptOnlineEval { Assert = LlmGateway.Tests.Behaviour.Unit.OnlineEvalFixtures.Elements("""[{"type":"is-json","metric":"latency_ms.p95"}]""") };
        Assert.Null(OnlineEvalPlan.Read(block, LlmGateway.Tests.Behaviour.Unit.OnlineEvalFixtures.Catalog, []));
        var stored = OnlineEvalPlan.Read(block, LlmGateway.Tests.Behaviour.Unit.OnlineEvalFixtures.Catalog, [], stored: true)!;
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(new RolloutMetricSpec { Metric = "latency_ms.p95", Threshold = 0.05 }), stored, errors, baseline: stored, baselineVersion: 1);

        Assert.Empty(errors);
        var metric = Assert.Single(plan!.Metrics);
        Assert.Equal((MetricKind.Rate, false, (double?)null, "latency_ms.p95"), (metric.Kind, metric.LowerIsBetter, metric.Quantile, metric.Series));
    }

    private static RolloutPlan Plan(params RolloutMetricSpec[] metrics) => new()
    {
        Steps = [new RolloutPlanStep { Weight = 10 }],
        Metrics = metrics,
    };
}
