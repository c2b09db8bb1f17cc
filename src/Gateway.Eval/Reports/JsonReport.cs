using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// The machine-readable result: gate, exit code, versions, dataset ids, statistics settings, each metric's numbers,
/// skipped metrics, and the failing cases. Written with <see cref="Utf8JsonWriter"/> so the field order is stable.
/// </summary>
internal static class JsonReport
{
    /// <param name="exitCode">
    /// The process's exit code when the caller knows more than the verdict (gatewayctl: a gateway gone mid-run, a failed
    /// store, an unwritten report); the verdict's own code otherwise. <c>exit_code</c> is never a code the process did not return.
    /// </param>
    public static byte[] Render(EvalReport report, bool indented = true, int? exitCode = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var comparison = report.Comparison;
        var run = report.Run;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("result", report.Result.ToString().ToLowerInvariant());
            w.WriteNumber("exit_code", exitCode ?? report.ExitCode);
            w.WriteStartArray("blamed");
            foreach (var name in report.Blamed)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            if (run.Baseline is { } baseline)
            {
                WriteTarget(w, "baseline", baseline.Name, baseline.Version);
            }
            else
            {
                w.WriteNull("baseline");
            }
            WriteTarget(w, "candidate", run.Candidate.Name, run.Candidate.Version);
            w.WriteStartArray("datasets");
            foreach (var id in run.Datasets)
            {
                w.WriteStartObject();
                w.WriteString("file", id.FileName);
                w.WriteString("sha256", id.Sha256);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("cases", run.Cases.Count);
            w.WriteNumber("repeats", run.Repeats);
            w.WriteNumber("errors", run.Errors.Count);
            w.WriteBoolean("complete", run.Calls.Complete);
            WriteCalls(w, run.Calls);
            w.WriteNumber("pairs_dropped_for_errors", run.PairsDroppedForErrors);
            w.WriteStartArray("notes");
            foreach (var note in report.RunNotes)
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteNumber("cache_hits", run.CacheHits);
            w.WriteBoolean("strict", comparison.Strict);
            w.WriteNumber("confidence", comparison.Confidence);
            w.WriteNumber("resamples", comparison.Resamples);
            w.WriteNumber("seed", comparison.Seed);

            w.WriteStartArray("metrics");
            foreach (var m in comparison.Metrics)
            {
                WriteMetric(w, m, ReportFormat.SourceOf(run.Config, m.Name));
            }

            w.WriteEndArray();
            w.WriteStartObject("skipped");
            foreach (var (name, reason) in report.Skipped)
            {
                w.WriteString(name, reason);
            }

            w.WriteEndObject();
            w.WriteStartArray("failing_cases");
            foreach (var c in report.FailingCases)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Case.Key);
                w.WriteNumber("line", c.Case.Case.Line);
                w.WriteNumber("baseline_pass_rate", c.BaselinePassRate);
                w.WriteNumber("candidate_pass_rate", c.CandidatePassRate);
                w.WriteNumber("candidate_errors", c.CandidateErrors);
                if (c.Candidate.Execution.Error is { } error)
                {
                    w.WriteString("error", error);
                }

                w.WriteStartArray("failed_assertions");
                foreach (var outcome in c.Candidate.Assertions.Where(a => !a.Result.Pass))
                {
                    w.WriteStartObject();
                    w.WriteString("type", outcome.Assertion.Type);
                    w.WriteString("reason", outcome.Result.Reason);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTarget(Utf8JsonWriter w, string name, string prompt, int version)
    {
        w.WriteStartObject(name);
        w.WriteString("prompt", prompt);
        w.WriteNumber("version", version);
        w.WriteEndObject();
    }

    /// <summary>The calls per side, so a reader (and the release gate) can see how complete the run was.</summary>
    internal static void WriteCalls(Utf8JsonWriter w, CallCounts calls)
    {
        w.WriteStartObject("calls");
        foreach (var (name, side) in new[] { ("baseline", calls.Baseline), ("candidate", calls.Candidate) })
        {
            // A candidate-only run made no baseline calls: it has no baseline side, not an empty one.
            if (name == "baseline" && side.Total == 0)
            {
                continue;
            }

            w.WriteStartObject(name);
            w.WriteNumber("total", side.Total);
            w.WriteNumber("failed", side.Failed);
            w.WriteEndObject();
        }

        w.WriteNumber("max_error_rate", calls.MaxErrorRate);
        w.WriteEndObject();
    }

    private static void WriteFinite(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteMetric(Utf8JsonWriter w, MetricComparison m, MetricSource source)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        w.WriteString("kind", m.Kind == MetricKind.Rate ? "rate" : "continuous");
        w.WriteString("source", source switch
        {
            MetricSource.Cost => "cost",
            MetricSource.Latency => "latency",
            MetricSource.OutputTokens => "output-tokens",
            MetricSource.Errors => "errors",
            _ => "assertions",
        });
        w.WriteBoolean("gated", m.Gated);
        // A metric judged alone (no baseline, no threshold) has no delta: null, since JSON has no NaN.
        WriteFinite(w, "baseline", m.BaselineMean);
        WriteFinite(w, "candidate", m.CandidateMean);
        WriteFinite(w, "delta", m.Delta);
        WriteFinite(w, "ci_low", m.CiLow);
        WriteFinite(w, "ci_high", m.CiHigh);
        w.WriteNumber("tolerance", m.Tolerance);
        if (m.McNemarP is { } p)
        {
            w.WriteNumber("mcnemar_p", p);
        }

        w.WriteNumber("cases", m.Cases);
        w.WriteNumber("repeats", m.Repeats);
        w.WriteString("verdict", m.Verdict.ToString().ToLowerInvariant());
        w.WriteBoolean("underpowered", m.Underpowered);
        if (m.RepeatsNeeded is { } repeatsNeeded)
        {
            w.WriteNumber("repeats_needed", repeatsNeeded);
        }

        if (m.MoreCasesNeeded is { } more)
        {
            w.WriteNumber("more_cases_needed", more);
        }

        w.WriteString("explanation", m.Explanation);
        w.WriteEndObject();
    }
}
