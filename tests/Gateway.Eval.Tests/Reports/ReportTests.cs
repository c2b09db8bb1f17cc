using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Reports;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Tests.Running;

namespace LlmGateway.Eval.Tests.Reports;

public sealed class ReportTests
{
    private static readonly PromptTarget Baseline = new("support-reply", 3);
    private static readonly PromptTarget Candidate = new("support-reply", 4);
    private static readonly string[] WorstOrder = ["**`c1`**", "**`c0`**", "**`c4`**"];

    // 40 cases; the candidate loses "ok" on every fourth case, errors on case 1, answers with a pipe and a control
    // character on case 4, and costs more. Accuracy and cost regress; latency is ungated; tone has no assertions.
    private static async Task<EvalReport> RegressedReport()
    {
        var lines = Enumerable.Range(0, 40).Select(i => $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":[{"type":"contains","value":"ok","metric":"accuracy"}]}""");
        var dataset = DatasetReader.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "golden.jsonl");
        var config = new EvalConfig
        {
            Datasets = ["golden.jsonl"],
            Metrics =
            [
                new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) },
                new MetricDefinition { Name = "tone", Aggregate = MetricAggregate.WeightedScore, Gate = MetricGate.HigherIsBetter(0.05) },
                new MetricDefinition { Name = "cost", Source = MetricSource.Cost, Gate = MetricGate.LowerIsBetterRelative(0.1) },
                new MetricDefinition { Name = "latency", Source = MetricSource.Latency, Gate = MetricGate.LowerIsBetterRelative(0.5, gated: false) },
            ],
            Repeats = 2,
            Seed = 7,
            Resamples = 2000,

            // Case 1's two failed calls are 2.5% of the candidate's: allowed here, so the run stays complete.
            MaxErrorRate = 0.05,
        };
        var executor = new FakeCaseExecutor((r, _) =>
        {
            var n = int.Parse(r.Case.Id[1..], CultureInfo.InvariantCulture);
            if (r.Target == Baseline)
            {
                return new CaseExecution { Output = $"ok, case {n}", LatencyMs = 100, CostUsd = 0.001m };
            }

            return n switch
            {
                1 => CaseExecution.Failed("gateway answered 400: bad variables"),
                4 => new CaseExecution { Output = "a | b\u0001\nline two " + new string('x', 600), LatencyMs = 100, CostUsd = 0.002m },
                _ => new CaseExecution { Output = n % 4 == 0 ? "nope" : "ok", LatencyMs = 100, CostUsd = 0.002m },
            };
        });
        var run = await new EvalRunner(executor, ScorerRegistry.CreateDefault(), new EvalRunnerOptions { Retry = new CaseRetryOptions { MaxRetries = 0 } })
            .RunAsync(config, [dataset], Baseline, Candidate, TestContext.Current.CancellationToken);
        return EvalReport.Create(run);
    }

    [Fact]
    public async Task The_console_table_has_a_row_per_metric_and_the_result()
    {
        var report = await RegressedReport();

        var text = ConsoleReport.Render(report);

        Assert.Equal(GateResult.Fail, report.Comparison.Result);
        Assert.Contains("support-reply@v3 → support-reply@v4, 40 cases × 2 repeats, 160 calls", text, StringComparison.Ordinal);
        Assert.Matches(@"metric\s+baseline\s+candidate\s+delta\s+95% CI\s+verdict", text);

        // Case 1 failed on the candidate: it is dropped from accuracy (39 cases, 10 fail), not scored as a failure.
        Assert.Matches(@"accuracy\s+100\.0%\s+74\.4%\s+−25\.6 pp\s+\[.*\]\s+REGRESSED", text);
        Assert.Matches(@"error-rate\s+0\.0%\s+2\.5%\s+\+2\.5 pp", text);
        Assert.Matches(@"cost\s+\$0\.00100\s+\$0\.00200\s+\+100\.0% \(\+\$0\.00100\)\s+\[\+100\.0%, \+100\.0%\]", text);
        Assert.Matches(@"latency\*\s+100 ms\s+100 ms\s+0\.0% \(0 ms\)", text);
        Assert.DoesNotContain("−0", text, StringComparison.Ordinal);
        Assert.Contains("tone: skipped, no paired values", text, StringComparison.Ordinal);
        Assert.Contains("2 of 160 calls failed after retries (0 baseline, 2 candidate)", text, StringComparison.Ordinal);
        Assert.Contains("2 (case, repeat) pair(s) were dropped", text, StringComparison.Ordinal);
        Assert.EndsWith($"Result: FAIL (accuracy, cost){Environment.NewLine}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_report_carries_the_gate_metrics_datasets_and_failing_cases()
    {
        var report = await RegressedReport();

        using var json = JsonDocument.Parse(JsonReport.Render(report));
        var root = json.RootElement;

        Assert.Equal("fail", root.GetProperty("result").GetString());
        Assert.Equal(EvalExitCodes.Fail, root.GetProperty("exit_code").GetInt32());
        Assert.Equal(["accuracy", "cost"], root.GetProperty("blamed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, root.GetProperty("candidate").GetProperty("version").GetInt32());
        Assert.Equal(report.Run.Datasets[0].Sha256, root.GetProperty("datasets")[0].GetProperty("sha256").GetString());
        var accuracy = root.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "accuracy");
        Assert.Equal("regressed", accuracy.GetProperty("verdict").GetString());
        Assert.Equal("rate", accuracy.GetProperty("kind").GetString());
        Assert.True(accuracy.TryGetProperty("mcnemar_p", out _));
        Assert.True(root.GetProperty("skipped").TryGetProperty("tone", out _));
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(2, root.GetProperty("calls").GetProperty("candidate").GetProperty("failed").GetInt32());
        Assert.Equal(80, root.GetProperty("calls").GetProperty("baseline").GetProperty("total").GetInt32());
        Assert.Equal(2, root.GetProperty("pairs_dropped_for_errors").GetInt32());
        var failing = root.GetProperty("failing_cases").EnumerateArray().ToList();
        Assert.Equal(11, failing.Count);
        Assert.Equal("gateway answered 400: bad variables", failing.Single(f => f.GetProperty("id").GetString() == "c1").GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_junit_report_is_well_formed_with_a_testcase_per_gated_metric_and_failing_case()
    {
        var report = await RegressedReport();

        var xml = JUnitReport.Render(report);
        var document = XDocument.Parse(xml);

        var suites = document.Root!;
        Assert.Equal("testsuites", suites.Name.LocalName);
        var gates = suites.Elements("testsuite").Single(s => (string?)s.Attribute("name") == "gates");
        Assert.Equal(["error-rate", "accuracy", "cost", "tone"], gates.Elements("testcase").Select(t => (string?)t.Attribute("name")));
        Assert.Equal("regressed", (string?)gates.Elements("testcase").Single(t => (string?)t.Attribute("name") == "accuracy").Element("failure")!.Attribute("type"));

        // A gated metric nothing measured is a failure in the test tab, never a green "skipped".
        Assert.Equal("unmeasured", (string?)gates.Elements("testcase").Last().Element("failure")!.Attribute("type"));
        Assert.Equal("3", (string?)gates.Attribute("failures"));

        var cases = suites.Elements("testsuite").Single(s => (string?)s.Attribute("name") == "cases");
        Assert.Equal(11, cases.Elements("testcase").Count());
        Assert.Equal("call-failed", (string?)cases.Elements("testcase").Single(t => (string?)t.Attribute("name") == "c1").Element("error")!.Attribute("type"));
        Assert.Equal("1", (string?)cases.Attribute("errors"));
        Assert.Equal("13", (string?)suites.Attribute("failures"));
        Assert.DoesNotContain('\u0001', xml);
    }

    [Fact]
    public async Task The_markdown_comment_has_the_table_and_the_worst_cases_side_by_side()
    {
        var report = await RegressedReport();

        var md = MarkdownReport.Render(report, worstCases: 3, maxOutputChars: 80);

        Assert.StartsWith("### ❌ Eval FAIL: support-reply@v3 → support-reply@v4", md, StringComparison.Ordinal);
        Assert.Contains("| Metric | Baseline | Candidate | Delta | 95% CI | Verdict |", md, StringComparison.Ordinal);
        Assert.Contains("| accuracy | 100.0% | 74.4% | −25.6 pp | [", md, StringComparison.Ordinal);
        Assert.Contains("| **REGRESSED** |", md, StringComparison.Ordinal);
        Assert.Contains("| latency (not gated) | 100 ms | 100 ms |", md, StringComparison.Ordinal);
        Assert.Contains("**Blamed:** `accuracy`, `cost`", md, StringComparison.Ordinal);
        Assert.Contains("- `tone` skipped:", md, StringComparison.Ordinal);
        Assert.Contains($"`golden.jsonl` (`{report.Run.Datasets[0].ShortHash}`)", md, StringComparison.Ordinal);

        // Worst first: the errored case (ties broken by errors), then file order.
        var order = WorstOrder.Select(k => md.IndexOf(k, StringComparison.Ordinal)).ToList();
        Assert.All(order, i => Assert.True(i > 0));
        Assert.Equal(order.Order(), order);
        Assert.Contains("| Baseline output | Candidate output |", md, StringComparison.Ordinal);
        Assert.Contains("| ok, case 1 | *error:* gateway answered 400: bad variables |", md, StringComparison.Ordinal);
        Assert.Contains("a \\| b\u0001<br>line two xxx", md, StringComparison.Ordinal);
        Assert.Contains("x… |", md, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 81), md, StringComparison.Ordinal);
    }
}
