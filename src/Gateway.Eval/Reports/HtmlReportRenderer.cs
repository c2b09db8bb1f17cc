using System.Globalization;
using System.Net;
using System.Text;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// One self-contained HTML file: inline CSS and charts embedded as base64 PNGs, so it can be attached to a CI run or
/// mailed and still open offline. It has the result and blamed metrics, the metric table with coloured verdicts, a
/// delta chart per metric and the worst-regressed cases side by side. Everything from the run is HTML-escaped: model
/// output is untrusted and must not inject markup or script.
/// </summary>
internal static class HtmlReportRenderer
{
    public const int DefaultWorstCases = 5;
    public const int DefaultMaxOutputChars = 400;

    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1f2328;max-width:1100px}
        h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
        .meta{color:#59636e}
        .result{display:inline-block;padding:.2rem .7rem;border-radius:.3rem;color:#fff;font-weight:600}
        .result.pass{background:#1a7f37}.result.fail{background:#cf222e}.result.inconclusive{background:#9a6700}
        table{border-collapse:collapse;margin:.5rem 0}
        th,td{border:1px solid #d1d9e0;padding:.3rem .6rem;text-align:left;vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        th{background:#f6f8fa}
        .verdict{font-weight:600}
        .cases td{width:50%}
        pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:.85rem}
        .error{color:#cf222e}
        img{display:block;max-width:100%}
        """;

    public static string Render(EvalReport report, int worstCases = DefaultWorstCases, int maxOutputChars = DefaultMaxOutputChars)
    {
        ArgumentNullException.ThrowIfNull(report);
        var comparison = report.Comparison;
        var run = report.Run;
        var result = ReportFormat.Result(report.Result);
        var confidence = (comparison.Confidence * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>")
            .AppendLine("<html lang=\"en\">")
            .AppendLine("<head>")
            .AppendLine("<meta charset=\"utf-8\">")
            .Append(CultureInfo.InvariantCulture, $"<title>Eval {result}: {Escape(ReportFormat.Title(run))}</title>").AppendLine()
            .Append("<style>").Append(Style).AppendLine("</style>")
            .AppendLine("</head>")
            .AppendLine("<body>");

        html.Append(CultureInfo.InvariantCulture, $"<h1><span class=\"result {result.ToLowerInvariant()}\">{result}</span> {Escape(ReportFormat.Title(run))}</h1>").AppendLine();
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{run.Cases.Count} cases × {ReportFormat.RepeatsText(run)}, {run.Calls.Total} calls; datasets: ")
            .AppendJoin(", ", run.Datasets.Select(d => $"<code>{Escape(d.FileName)}</code> ({Escape(d.ShortHash)})"))
            .Append(CultureInfo.InvariantCulture, $"; {confidence} CI, {(report.Run.Adaptive is null ? $"{comparison.Resamples} resamples, seed {comparison.Seed}" : "adaptive repeats, repeated confidence intervals")}{(comparison.Strict ? ", strict" : string.Empty)}.</p>")
            .AppendLine();
        html.Append(CultureInfo.InvariantCulture, $"<p>Gate: <strong>{result}</strong>");
        if (report.Blamed.Count > 0)
        {
            html.Append("; blamed: ").AppendJoin(", ", report.Blamed.Select(b => $"<code>{Escape(b)}</code>"));
        }

        html.AppendLine("</p>");

        AppendMetricTable(html, report, confidence);
        AppendCharts(html, report);
        AppendWorstCases(html, run, worstCases, maxOutputChars);
        return html.AppendLine("</body>").AppendLine("</html>").ToString();
    }

    /// <summary>The verdict's colour, shared by the table and the charts so both read the same.</summary>
    public static string VerdictColor(MetricComparison metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return (metric.Verdict, metric.Gated) switch
        {
            (Verdict.Regressed, true) => "#cf222e",
            (Verdict.Regressed, false) => "#bc4c00",
            (Verdict.Improved, _) => "#1a7f37",
            (Verdict.Inconclusive, _) => "#9a6700",
            _ => "#59636e",
        };
    }

    private static void AppendMetricTable(StringBuilder html, EvalReport report, string confidence)
    {
        var config = report.Run.Config;
        html.AppendLine("<h2>Metrics</h2>")
            .AppendLine("<table class=\"metrics\">")
            .Append(CultureInfo.InvariantCulture, $"<tr><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Delta</th><th>{confidence} CI</th><th>Verdict</th></tr>").AppendLine();
        foreach (var m in report.Comparison.Metrics)
        {
            var source = ReportFormat.SourceOf(config, m.Name);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Escape(m.Name)}{(m.Gated ? string.Empty : " <em>(not gated)</em>")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Escape(ReportFormat.Value(source, m.Kind, m.BaselineMean))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Escape(ReportFormat.Value(source, m.Kind, m.CandidateMean))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Escape(ReportFormat.Delta(source, m))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Escape(ReportFormat.Interval(source, m))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"verdict\" style=\"color:{VerdictColor(m)}\" title=\"{Escape(m.Explanation)}\">{Escape(ReportFormat.Verdict(m))}</td></tr>")
                .AppendLine();
        }

        html.AppendLine("</table>");
        var notes = report.Skipped.Select(s => $"<code>{Escape(s.Key)}</code> skipped: {Escape(s.Value)}").ToList();
        notes.AddRange(report.RunNotes.Select(Escape));

        if (notes.Count > 0)
        {
            html.AppendLine("<ul>");
            foreach (var note in notes)
            {
                html.Append("<li>").Append(note).AppendLine("</li>");
            }

            html.AppendLine("</ul>");
        }
    }

    private static void AppendCharts(StringBuilder html, EvalReport report)
    {
        if (report.Comparison.Metrics.Count == 0)
        {
            return;
        }

        html.AppendLine("<h2>Deltas</h2>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Candidate minus baseline: the point is the delta, the bar its {(report.Comparison.Confidence * 100).ToString("0", CultureInfo.InvariantCulture)}% confidence interval.</p>")
            .AppendLine();
        foreach (var m in report.Comparison.Metrics)
        {
            // AllMetrics, as EvalRunRecord.DirectionOf: the implicit error rate (lower is better) is not in Metrics, and
            // taken as higher-is-better its tolerance line was drawn on the wrong side.
            var definition = report.Run.Config.AllMetrics.FirstOrDefault(d => d.Name == m.Name);
            var direction = definition?.Gate.Direction ?? MetricDirection.HigherIsBetter;
            byte[]? png;
            try
            {
                png = DeltaChart.Render(m, ReportFormat.SourceOf(report.Run.Config, m.Name), direction);
            }
            catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException)
            {
                // A box without SkiaSharp's native library still gets the rest of the report; the table has the numbers.
                png = null;
            }

            if (png is null)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{Escape(m.Name)}: no chart.</p>").AppendLine();
                continue;
            }

            html.Append(CultureInfo.InvariantCulture, $"<img alt=\"{Escape(m.Name)} delta and confidence interval\" width=\"{DeltaChart.Width}\" height=\"{DeltaChart.Height}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">")
                .AppendLine();
        }
    }

    private static void AppendWorstCases(StringBuilder html, RunResult run, int worstCases, int maxOutputChars)
    {
        var worst = CaseComparison.WorstRegressed(run, worstCases);
        if (worst.Count == 0)
        {
            return;
        }

        html.AppendLine("<h2>Worst-regressed cases</h2>");
        foreach (var c in worst)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3><code>{Escape(c.Case.Key)}</code>: passed {Percent(c.BaselinePassRate)} → {Percent(c.CandidatePassRate)} of repeats</h3>").AppendLine();
            var failed = c.Candidate.Assertions.Where(a => !a.Result.Pass).ToList();
            if (failed.Count > 0)
            {
                html.Append("<p>Failed: ")
                    .AppendJoin("; ", failed.Select(a => $"<code>{Escape(a.Assertion.Type)}</code>: {Escape(ReportFormat.Truncate(a.Result.Reason, 160))}"))
                    .AppendLine("</p>");
            }

            html.AppendLine("<table class=\"cases\">")
                .AppendLine("<tr><th>Baseline output</th><th>Candidate output</th></tr>")
                .Append("<tr><td>").Append(Output(c.Baseline, maxOutputChars)).Append("</td><td>").Append(Output(c.Candidate, maxOutputChars)).AppendLine("</td></tr>")
                .AppendLine("</table>");
        }
    }

    private static string Output(RunRecord? record, int max) =>
        record is null ? "<pre>(no baseline: judged on thresholds)</pre>" : record.Execution.Error is { } error
            ? $"<pre class=\"error\">error: {Escape(ReportFormat.Truncate(error, max))}</pre>"
            : $"<pre>{Escape(ReportFormat.Truncate(record.Execution.Output, max))}</pre>";

    // Control characters other than tab and newlines are not allowed in HTML text: drop them, then escape markup.
    private static string Escape(string text) =>
        WebUtility.HtmlEncode(string.Concat(text.Where(ch => !char.IsControl(ch) || ch is '\t' or '\n' or '\r')));

    private static string Percent(double rate) => (rate * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}
