using System.Globalization;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>How values read in every text report: rates as percentages with deltas in points, cost in dollars, latency in ms.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Value(MetricSource source, MetricKind kind, double value) => (source, kind) switch
    {
        (MetricSource.Cost, _) => "$" + value.ToString("0.000000", Invariant),
        (MetricSource.Latency, _) => value.ToString("0", Invariant) + " ms",
        (MetricSource.OutputTokens, _) => value.ToString("0.0", Invariant),
        (_, MetricKind.Rate) => (value * 100).ToString("0.0", Invariant) + "%",
        _ => value.ToString("0.000", Invariant),
    };

    public static string Delta(MetricSource source, MetricKind kind, double delta)
    {
        var sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
        var magnitude = Math.Abs(delta);
        return sign + (source, kind) switch
        {
            (MetricSource.Cost, _) => "$" + magnitude.ToString("0.000000", Invariant),
            (MetricSource.Latency, _) => magnitude.ToString("0", Invariant) + " ms",
            (MetricSource.OutputTokens, _) => magnitude.ToString("0.0", Invariant),
            (_, MetricKind.Rate) => (magnitude * 100).ToString("0.0", Invariant) + " pp",
            _ => magnitude.ToString("0.000", Invariant),
        };
    }

    public static string Interval(MetricSource source, MetricKind kind, double low, double high) =>
        $"[{Delta(source, kind, low)}, {Delta(source, kind, high)}]";

    public static string Verdict(MetricComparison metric) => (metric.Verdict, metric.Gated) switch
    {
        (Statistics.Verdict.Regressed, true) => "REGRESSED",
        (Statistics.Verdict.Regressed, false) => "regressed (not gated)",
        (Statistics.Verdict.Improved, _) => "improved",
        (Statistics.Verdict.Inconclusive, _) => "inconclusive",
        _ => "unchanged",
    };

    public static string Result(GateResult result) => result switch
    {
        GateResult.Pass => "PASS",
        GateResult.Fail => "FAIL",
        _ => "INCONCLUSIVE",
    };

    public static MetricSource SourceOf(EvalConfig config, string metric) =>
        config.Metrics.FirstOrDefault(m => m.Name == metric)?.Source ?? MetricSource.Assertions;

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, marking the cut.</summary>
    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
