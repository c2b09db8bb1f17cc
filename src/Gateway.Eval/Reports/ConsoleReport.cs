using System.Globalization;
using System.Text;

namespace LlmGateway.Eval.Reports;

/// <summary>The terminal summary: one row per metric (baseline, candidate, delta, CI, verdict), then the gate's result.</summary>
internal static class ConsoleReport
{
    public static string Render(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var comparison = report.Comparison;
        var config = report.Run.Config;
        // An adaptive run's intervals are repeated confidence intervals, valid whichever round it stopped at.
        var ci = $"{(comparison.Confidence * 100).ToString("0", CultureInfo.InvariantCulture)}% {(report.Run.Adaptive is null ? "CI" : "anytime CI")}";
        var rows = new List<string[]> { new[] { "metric", "baseline", "candidate", "delta", ci, "verdict" } };
        foreach (var m in comparison.Metrics)
        {
            var source = ReportFormat.SourceOf(config, m.Name);
            rows.Add(
            [
                m.Gated ? m.Name : m.Name + "*",
                ReportFormat.Value(source, m.Kind, m.BaselineMean),
                ReportFormat.Value(source, m.Kind, m.CandidateMean),
                ReportFormat.Delta(source, m),
                ReportFormat.Interval(source, m),
                ReportFormat.Verdict(m),
            ]);
        }

        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{ReportFormat.Title(report.Run)}, {report.Run.Cases.Count} cases × {ReportFormat.RepeatsText(report.Run)}, {report.Run.Calls.Total} calls").AppendLine();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            text.AppendJoin("  ", row.Select((cell, i) => i is 0 or 5 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).AppendLine();
            if (index == 0)
            {
                text.AppendJoin("  ", widths.Select(w => new string('-', w))).AppendLine();
            }
        }

        if (comparison.Metrics.Any(m => !m.Gated))
        {
            text.AppendLine("* not gated");
        }

        foreach (var (name, reason) in report.Skipped)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: skipped, {reason}").AppendLine();
        }

        foreach (var note in report.RunNotes)
        {
            text.AppendLine(note);
        }

        text.Append(CultureInfo.InvariantCulture, $"Result: {ReportFormat.Result(report.Result)}");
        if (report.Blamed.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({string.Join(", ", report.Blamed)})");
        }

        return text.AppendLine().ToString();
    }
}
