using System.Buffers;
using System.Text.Json;
using LlmGateway.Eval.Reports;

namespace LlmGateway.Cli.Eval;

/// <summary>
/// The run record posted to <c>POST /admin/v1/prompts/{name}/evals</c>: what the release gate needs (versions,
/// datasets, metric verdicts, the run's verdict), not the per-case detail, which stays in the reports.
/// </summary>
internal static class EvalRunRecord
{
    /// <summary>CI systems that name the commit under test; the first one set is recorded.</summary>
    public static readonly string[] GitShaVariables = ["GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"];

    public static string Render(EvalReport report, string? baselineEnvironment, string? gitSha)
    {
        var run = report.Run;
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("prompt", run.Candidate.Name);
            w.WriteStartObject("candidate");
            w.WriteNumber("version", run.Candidate.Version);
            w.WriteEndObject();
            if (run.Baseline is { } baseline)
            {
                w.WriteString("mode", "comparison");
                w.WriteStartObject("baseline");
                w.WriteNumber("version", baseline.Version);
                if (baselineEnvironment is not null)
                {
                    w.WriteString("environment", baselineEnvironment);
                }

                w.WriteEndObject();
            }
            else
            {
                w.WriteString("mode", "thresholds");
                w.WriteStartObject("thresholds");
                foreach (var (metric, threshold) in report.Thresholds ?? new Dictionary<string, double>())
                {
                    w.WriteNumber(metric, threshold);
                }

                w.WriteEndObject();
            }

            JsonReport.WriteCalls(w, run.Calls);
            w.WriteStartArray("datasets");
            foreach (var dataset in run.Datasets)
            {
                w.WriteStartObject();
                w.WriteString("id", dataset.FileName);
                w.WriteString("sha256", dataset.Sha256);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("metrics");
            foreach (var m in report.Comparison.Metrics)
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                WriteFinite(w, "baseline", m.BaselineMean);
                WriteFinite(w, "candidate", m.CandidateMean);
                WriteFinite(w, "delta", m.Delta);
                WriteFinite(w, "ci_low", m.CiLow);
                WriteFinite(w, "ci_high", m.CiHigh);
                w.WriteString("verdict", m.Verdict.ToString().ToLowerInvariant());
                w.WriteNumber("n", m.Cases);
                w.WriteBoolean("gated", m.Gated);
                w.WriteString("direction", DirectionOf(report, m.Name));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            // The report's result, not the comparison's: an incomplete run is stored as such, never as a pass.
            w.WriteString("verdict", report.Result.ToString().ToLowerInvariant());
            // Unknown when any call's cost was unknown (an unpriced model): a partial sum would understate it.
            var costs = run.Records.Select(r => r.Execution.CostUsd).ToList();
            if (costs.Count > 0 && costs.All(c => c.HasValue))
            {
                w.WriteNumber("cost_usd", costs.Sum(c => c!.Value));
            }

            if (gitSha is { Length: > 0 })
            {
                w.WriteString("git_sha", gitSha);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string DirectionOf(EvalReport report, string metric) =>
        report.Run.Config.AllMetrics.FirstOrDefault(m => m.Name == metric)?.Gate.Direction == LlmGateway.Eval.Statistics.MetricDirection.LowerIsBetter
            ? "lower"
            : "higher";

    // JSON has no NaN: a metric with no spread (or no values) is sent without that number.
    private static void WriteFinite(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
    }
}
