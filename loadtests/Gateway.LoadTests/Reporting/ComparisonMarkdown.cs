using System.Globalization;
using System.Text;

namespace LlmGateway.LoadTests.Reporting;

/// <summary>
/// The markdown tables of a comparison. "Added" is the system's percentile minus direct's percentile: the latency a
/// proxy adds at that rank. Percentiles do not subtract request by request, so a negative value means noise.
/// </summary>
internal static class ComparisonMarkdown
{
    /// <summary>The mock's nominal gap between chunks in the stream scenario (<c>x-mock-chunk-delay-ms</c>).</summary>
    public static string Write(ComparisonReport report, double nominalGapMs)
    {
        var text = new StringBuilder();
        var direct = report.Systems.FirstOrDefault(s => s.System == "direct")?.Report;
        var bare = report.Systems.FirstOrDefault(s => s.System == "yarp-bare")?.Report;
        Line(text, $"**{report.Scenario}**, {report.Load}; `{report.Command}`");
        text.AppendLine();
        text.AppendLine("| System | Sent as | Throughput (req/s) | p50 (ms) | p99 (ms) | p99.9 (ms) | Added p50 (ms) | Added p99 (ms) | × direct | × yarp-bare | Proxy peak RSS (MB) | Errors | Dropped |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var system in report.Systems)
        {
            var r = system.Report;
            Row(
                text,
                $"| {system.System} | {system.Scenario} | {r.ThroughputPerSecond:0.0} | {Ms(r.Latency?.P50Ms)} | {Ms(r.Latency?.P99Ms)} | {Ms(r.Latency?.P999Ms)} ",
                $"| {Added(r.Latency?.P50Ms, direct?.Latency?.P50Ms)} | {Added(r.Latency?.P99Ms, direct?.Latency?.P99Ms)} ",
                $"| {Ratio(r.ThroughputPerSecond, direct?.ThroughputPerSecond)} | {Ratio(r.ThroughputPerSecond, bare?.ThroughputPerSecond)} ",
                $"| {(system.PeakRssMb is { } rss ? rss.ToString("0", CultureInfo.InvariantCulture) : "—")} | {r.Requests.Failed} | {r.Requests.Dropped} |");
        }

        if (report.Systems.Any(s => s.Report.InterChunkGap is not null))
        {
            text.AppendLine();
            Line(text, $"Streams: time to first token (TTFT) and the gap between content chunks as the client saw them; \"gap added\" is the client's gap minus the mock's nominal {nominalGapMs:0.##} ms.");
            text.AppendLine();
            text.AppendLine("| System | TTFT p50 (ms) | TTFT p99 (ms) | TTFT added p50 | TTFT added p99 | Gap p50 (ms) | Gap p99 (ms) | Gap added p50 | Gap added p99 | Gap p99 − direct's | Chunks/stream |");
            text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var system in report.Systems)
            {
                var r = system.Report;
                var chunks = r.Requests.Succeeded > 0 ? (double)r.ContentChunks / r.Requests.Succeeded : 0;
                Row(
                    text,
                    $"| {system.System} | {Ms(r.TimeToFirstToken?.P50Ms)} | {Ms(r.TimeToFirstToken?.P99Ms)} ",
                    $"| {Added(r.TimeToFirstToken?.P50Ms, direct?.TimeToFirstToken?.P50Ms)} | {Added(r.TimeToFirstToken?.P99Ms, direct?.TimeToFirstToken?.P99Ms)} ",
                    $"| {Ms(r.InterChunkGap?.P50Ms)} | {Ms(r.InterChunkGap?.P99Ms)} ",
                    $"| {Added(r.InterChunkGap?.P50Ms, nominalGapMs)} | {Added(r.InterChunkGap?.P99Ms, nominalGapMs)} ",
                    $"| {Added(r.InterChunkGap?.P99Ms, direct?.InterChunkGap?.P99Ms)} | {chunks:0.0} |");
            }
        }

        var tags = report.Systems.Where(s => s.Report.ResponseTags.Count > 0).ToList();
        foreach (var system in tags)
        {
            text.AppendLine();
            var total = system.Report.ResponseTags.Values.Sum();
            var served = string.Join(", ", system.Report.ResponseTags.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key}: {t.Value} ({100.0 * t.Value / total:0.0}%)")));
            Line(text, $"{system.System} served: {served}.");
        }

        var errors = report.Systems.Where(s => s.Report.Errors.Count > 0).ToList();
        foreach (var system in errors)
        {
            text.AppendLine();
            Line(text, $"{system.System} errors: {string.Join(", ", system.Report.Errors.Select(e => $"{e.Key} {e.Value}"))}.");
        }

        text.AppendLine();
        Line(text, $"Machine: {report.Machine.ToMarkdown()} Load average before each system: {string.Join("; ", report.Systems.Select(s => $"{s.System} {s.LoadAverageBefore}"))}.");
        return text.ToString();
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "—";

    private static string Added(double? value, double? baseline) =>
        value is { } v && baseline is { } b ? (v - b).ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) : "—";

    private static string Ratio(double value, double? baseline) =>
        baseline is { } b && b > 0 ? (value / b).ToString("0.00", CultureInfo.InvariantCulture) : "—";

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

    /// <summary>For rows built by concatenation, whose parts are formatted with <see cref="CultureInfo.InvariantCulture"/> already.</summary>
    private static void Row(StringBuilder text, params FormattableString[] parts) =>
        text.AppendLine(string.Concat(parts.Select(part => part.ToString(CultureInfo.InvariantCulture))));
}
