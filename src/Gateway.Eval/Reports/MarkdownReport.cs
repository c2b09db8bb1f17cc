using System.Globalization;
using System.Text;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// A PR comment: the result, the metric table, skipped metrics, and the worst-regressed cases with the baseline's and
/// the candidate's outputs side by side (truncated, so a long answer cannot flood the comment).
/// </summary>
internal static class MarkdownReport
{
    public const int DefaultWorstCases = 5;
    public const int DefaultMaxOutputChars = 400;

    public static string Render(EvalReport report, int worstCases = DefaultWorstCases, int maxOutputChars = DefaultMaxOutputChars)
    {
        ArgumentNullException.ThrowIfNull(report);
        var comparison = report.Comparison;
        var run = report.Run;
        var md = new StringBuilder();
        var icon = report.Result switch
        {
            GateResult.Pass => "✅",
            GateResult.Fail => "❌",
            _ => "⚠️",
        };
        md.Append(CultureInfo.InvariantCulture, $"### {icon} Eval {ReportFormat.Result(report.Result)}: {ReportFormat.Title(run)}").AppendLine().AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"{run.Cases.Count} cases × {ReportFormat.RepeatsText(run)}, {run.Calls.Total} calls; datasets: ")
            .AppendJoin(", ", run.Datasets.Select(d => $"`{d.FileName}` (`{d.ShortHash}`)"))
            .Append(CultureInfo.InvariantCulture, $"; {(comparison.Confidence * 100).ToString("0", CultureInfo.InvariantCulture)}% CI, {(report.Run.Adaptive is null ? $"{comparison.Resamples} resamples, seed {comparison.Seed}" : "adaptive repeats, repeated confidence intervals")}{(comparison.Strict ? ", strict" : string.Empty)}.")
            .AppendLine().AppendLine();
        if (report.Blamed.Count > 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"**Blamed:** {string.Join(", ", report.Blamed.Select(b => $"`{b}`"))}").AppendLine().AppendLine();
        }

        md.AppendLine("| Metric | Baseline | Candidate | Delta | 95% CI | Verdict |"
            .Replace("95% CI", (comparison.Confidence * 100).ToString("0", CultureInfo.InvariantCulture) + (run.Adaptive is null ? "% CI" : "% anytime CI"), StringComparison.Ordinal));
        md.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var m in comparison.Metrics)
        {
            var source = ReportFormat.SourceOf(run.Config, m.Name);
            var verdict = m.Verdict == Verdict.Regressed && m.Gated ? $"**{ReportFormat.Verdict(m)}**" : ReportFormat.Verdict(m);
            md.Append(CultureInfo.InvariantCulture, $"| {m.Name}{(m.Gated ? string.Empty : " (not gated)")} | {ReportFormat.Value(source, m.Kind, m.BaselineMean)} | {ReportFormat.Value(source, m.Kind, m.CandidateMean)} | {ReportFormat.Delta(source, m)} | {ReportFormat.Interval(source, m)} | {verdict} |").AppendLine();
        }

        md.AppendLine();
        foreach (var (name, reason) in report.Skipped)
        {
            md.Append(CultureInfo.InvariantCulture, $"- `{name}` skipped: {reason}").AppendLine();
        }

        foreach (var note in report.RunNotes)
        {
            md.Append(CultureInfo.InvariantCulture, $"- {note}").AppendLine();
        }

        var worst = CaseComparison.WorstRegressed(run, worstCases);
        if (worst.Count > 0)
        {
            md.AppendLine().AppendLine("<details open><summary>Worst-regressed cases</summary>").AppendLine();
            foreach (var c in worst)
            {
                md.Append(CultureInfo.InvariantCulture, $"**`{c.Case.Key}`**: passed {Percent(c.BaselinePassRate)} → {Percent(c.CandidatePassRate)} of repeats").AppendLine().AppendLine();
                var failed = c.Candidate.Assertions.Where(a => !a.Result.Pass).Select(a => $"`{a.Assertion.Type}`: {Cell(a.Result.Reason, 160)}").ToList();
                if (failed.Count > 0)
                {
                    md.Append("Failed: ").AppendJoin("; ", failed).AppendLine().AppendLine();
                }

                md.AppendLine("| Baseline output | Candidate output |").AppendLine("|---|---|");
                md.Append(CultureInfo.InvariantCulture, $"| {Output(c.Baseline, maxOutputChars)} | {Output(c.Candidate, maxOutputChars)} |").AppendLine().AppendLine();
            }

            md.AppendLine("</details>");
        }

        return md.ToString();
    }

    private static string Output(Running.RunRecord? record, int max) =>
        record is null ? "*(no baseline: judged on thresholds)*" : record.Execution.Error is { } error ? $"*error:* {Cell(error, max)}" : Cell(record.Execution.Output, max);

    // A table cell cannot hold a raw pipe or newline; HTML is escaped so model output cannot inject markup.
    private static string Cell(string text, int max) =>
        ReportFormat.Truncate(text, max)
            .Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r\n", "<br>", StringComparison.Ordinal)
            .Replace("\n", "<br>", StringComparison.Ordinal);

    private static string Percent(double rate) => (rate * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}
