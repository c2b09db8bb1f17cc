using System.Globalization;
using System.Text;

namespace LlmGateway.LoadTests.Reporting;

/// <summary>The human-readable table printed at the end of a run.</summary>
internal static class TextReportWriter
{
    private static readonly CompositeFormat TimingRow = CompositeFormat.Parse("  {0,-22}{1,10}{2,10}{3,10}{4,10}{5,10}{6,10}{7,10}");

    public static void Write(LoadTestReport report, TextWriter output)
    {
        var settings = report.Settings;
        var requests = report.Requests;
        Line(output, $"Gateway load test: {settings.Scenario} against {settings.Endpoint} (model {settings.Model})");
        Line(output, $"Load:        {settings.Description}");
        if (settings.Headers.Count > 0)
        {
            Line(output, $"Headers:     {string.Join(", ", settings.Headers)}");
        }

        Line(output, $"Window:      {report.MeasuredSeconds:0.00} s measured after {settings.WarmupSeconds:0.##} s warmup; stopped by {report.StopReason}");
        output.WriteLine();

        Line(output, $"Requests:    {requests.Measured:N0} measured: {requests.Succeeded:N0} succeeded, {requests.Failed:N0} failed");
        Line(output, $"             (sent {requests.Sent:N0} in all; {requests.Warmup:N0} in warmup, {requests.Interrupted:N0} interrupted, {requests.Dropped:N0} dropped at the in-flight cap)");
        Line(output, $"Throughput:  {report.ThroughputPerSecond:N1} req/s ({report.SucceededPerSecond:N1} req/s succeeded)");
        Line(output, $"Received:    {FormatBytes(report.ResponseBytes)} in measured responses");
        if (report.ContentChunks > 0 && requests.Succeeded > 0)
        {
            Line(output, $"Chunks:      {report.ContentChunks:N0} with content ({(double)report.ContentChunks / requests.Succeeded:0.0} per successful request)");
        }

        output.WriteLine();
        if (requests.Measured == 0)
        {
            output.WriteLine("No request was measured: the run stopped before the warmup ended, or nothing completed.");
        }
        else
        {
            WriteTimings(report, output);
        }

        if (report.ResponseTags.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Served (successful responses):");
            foreach (var (tag, count) in report.ResponseTags.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal))
            {
                Line(output, $"  {tag,-22}{count,10:N0}");
            }
        }

        if (report.Errors.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Errors:");
            foreach (var (kind, count) in report.Errors.OrderByDescending(error => error.Value).ThenBy(error => error.Key, StringComparer.Ordinal))
            {
                Line(output, $"  {kind,-22}{count,10:N0}");
            }
        }
    }

    private static void WriteTimings(LoadTestReport report, TextWriter output)
    {
        Row(output, "Timings (ms)", "count", "p50", "p90", "p99", "p99.9", "max", "mean");
        Row(output, "latency", report.Latency);
        // In the closed model the intended start is the actual one, so this row would only repeat latency.
        if (report.Settings.IsOpenModel)
        {
            Row(output, "service time", report.ServiceTime);
        }

        if (report.TimeToFirstToken is not null || report.InterChunkGap is not null)
        {
            Row(output, "time to first token", report.TimeToFirstToken);
            Row(output, "inter-chunk gap", report.InterChunkGap);
        }

        if (report.Settings.IsOpenModel)
        {
            output.WriteLine();
            output.WriteLine("Latency and time to first token count from each request's intended send time (coordinated");
            output.WriteLine("omission corrected); service time counts from the actual send.");
        }
    }

    private static void Row(TextWriter output, string name, LatencySummary? summary)
    {
        if (summary is null)
        {
            Row(output, name, "0", "-", "-", "-", "-", "-", "-");
            return;
        }

        Row(
            output,
            name,
            summary.Count.ToString("N0", CultureInfo.InvariantCulture),
            Ms(summary.P50Ms),
            Ms(summary.P90Ms),
            Ms(summary.P99Ms),
            Ms(summary.P999Ms),
            Ms(summary.MaxMs),
            Ms(summary.MeanMs));
    }

    private static void Row(TextWriter output, params object[] cells) =>
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, TimingRow, cells));

    private static string Ms(double milliseconds) => milliseconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.00} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static void Line(TextWriter output, FormattableString line) => output.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
