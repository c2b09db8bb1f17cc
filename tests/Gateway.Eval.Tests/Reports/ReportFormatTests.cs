using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Reports;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Reports;

public sealed class ReportFormatTests
{
    [Theory]
    [InlineData("cost", 0.0000500, 0.0000013, "+2.6% (+$0.00000130)")]
    [InlineData("latency", 400.0, 48.0, "+12.0% (+48 ms)")]
    [InlineData("latency", 400.0, -0.1, "0.0% (0 ms)")]
    [InlineData("output-tokens", 50.0, -5.0, "−10.0% (−5.0)")]
    public void Cost_latency_and_tokens_read_as_a_relative_change_with_the_absolute_beside_it(string source, double baseline, double delta, string expected)
    {
        var kind = source switch
        {
            "cost" => MetricSource.Cost,
            "latency" => MetricSource.Latency,
            _ => MetricSource.OutputTokens,
        };

        Assert.Equal(expected, ReportFormat.Delta(kind, Metric(MetricKind.Continuous, baseline, delta)));
    }

    [Theory]
    [InlineData(-0.0004, "0.0 pp")]
    [InlineData(0.0, "0.0 pp")]
    [InlineData(-0.033, "−3.3 pp")]
    [InlineData(0.1, "+10.0 pp")]
    public void Rates_read_in_points_and_a_change_that_rounds_to_zero_has_no_sign(double delta, string expected)
    {
        Assert.Equal(expected, ReportFormat.Delta(MetricSource.Assertions, Metric(MetricKind.Rate, 0.8, delta)));
    }

    [Fact]
    public void A_relative_interval_is_in_percent()
    {
        var metric = Metric(MetricKind.Continuous, 0.00005, 0.0000013) with { CiLow = 0.0000002, CiHigh = 0.0000025 };

        Assert.Equal("[+0.4%, +5.0%]", ReportFormat.Interval(MetricSource.Cost, metric));
    }

    [Fact]
    public void McNemar_gives_exactly_one_when_the_discordant_counts_differ_by_one()
    {
        Assert.Equal(1.0, McNemarExact.Test(3, 4).P);
        Assert.Equal(1.0, McNemarExact.Test(50, 51).P);
    }

    private static MetricComparison Metric(MetricKind kind, double baseline, double delta) =>
        new("m", kind, true, baseline, baseline + delta, delta, delta - 0.01, delta + 0.01, null, 40, 1, 0.05, Verdict.Unchanged, null, "");
}
