using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Reports;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Tests.Running;

namespace LlmGateway.Eval.Tests.Reports;

public sealed partial class HtmlReportTests
{
    private static readonly PromptTarget Baseline = new("support-reply", 3);
    private static readonly PromptTarget Candidate = new("support-reply", 4);
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // 40 cases; the candidate loses "ok" on every fourth case and answers case 0 with a script tag, a control
    // character and a long tail, and costs more. Accuracy and cost regress; latency is measured but not gated.
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
                new MetricDefinition { Name = "cost", Source = MetricSource.Cost, Gate = MetricGate.LowerIsBetterRelative(0.1) },
                new MetricDefinition { Name = "latency", Source = MetricSource.Latency, Gate = MetricGate.LowerIsBetterRelative(0.5, gated: false) },
            ],
            Repeats = 2,
            Seed = 7,
            Resamples = 1000,
        };
        var executor = new FakeCaseExecutor((r, _) =>
        {
            var n = int.Parse(r.Case.Id[1..], CultureInfo.InvariantCulture);
            if (r.Target == Baseline)
            {
                return new CaseExecution { Output = $"ok, case {n}", LatencyMs = 100 + n, CostUsd = 0.001m };
            }

            var output = n switch
            {
                0 => "<script>alert('x')</script> & \u0001" + new string('x', 600),
                _ when n % 4 == 0 => "nope",
                _ => "ok",
            };
            return new CaseExecution { Output = output, LatencyMs = 90 + n, CostUsd = 0.002m };
        });
        var run = await new EvalRunner(executor, ScorerRegistry.CreateDefault(), new EvalRunnerOptions { Retry = new CaseRetryOptions { MaxRetries = 0 } })
            .RunAsync(config, [dataset], Baseline, Candidate, TestContext.Current.CancellationToken);
        return EvalReport.Create(run);
    }

    [Fact]
    public async Task The_implicit_error_rates_chart_is_drawn_lower_is_better()
    {
        var report = await RegressedReport();
        Assert.DoesNotContain(report.Run.Config.Metrics, m => m.Source == MetricSource.Errors);
        var errorRate = report.Comparison.Metrics.Single(m => m.Name == EvalConfig.ErrorRateMetric);
        var lower = DeltaChart.Render(errorRate, MetricSource.Errors, MetricDirection.LowerIsBetter)!;
        var higher = DeltaChart.Render(errorRate, MetricSource.Errors, MetricDirection.HigherIsBetter)!;
        // The tolerance line's side is the only difference between the two pictures.
        Assert.NotEqual(lower, higher);

        var html = HtmlReportRenderer.Render(report);

        Assert.Contains(Convert.ToBase64String(lower), html, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(higher), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_html_report_is_one_document_with_the_table_gate_and_metric_names()
    {
        var report = await RegressedReport();

        var html = HtmlReportRenderer.Render(report);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>" + Environment.NewLine, html, StringComparison.Ordinal);
        Assert.Equal(GateResult.Fail, report.Comparison.Result);
        Assert.Contains("<span class=\"result fail\">FAIL</span>", html, StringComparison.Ordinal);
        Assert.Contains("blamed: <code>accuracy</code>, <code>cost</code>", html, StringComparison.Ordinal);
        foreach (var metric in (string[])["accuracy", "cost", "latency"])
        {
            Assert.Contains($"<tr><td>{metric}", html, StringComparison.Ordinal);
        }

        Assert.Contains("latency <em>(not gated)</em>", html, StringComparison.Ordinal);
        Assert.Contains("REGRESSED</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<th>95% CI</th>", html, StringComparison.Ordinal);

        // Self-contained: no external stylesheet, script or image.
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<style>", html, StringComparison.Ordinal);

        // Well-formed enough that an XML parser accepts the body (every tag closed, every entity escaped).
        var body = html[html.IndexOf("<body>", StringComparison.Ordinal)..(html.IndexOf("</body>", StringComparison.Ordinal) + "</body>".Length)];
        var parsed = XElement.Parse(ImgTag().Replace(body, "<img/>"));
        Assert.Equal("body", parsed.Name.LocalName);
    }

    [Fact]
    public async Task Case_outputs_are_escaped_and_truncated()
    {
        var report = await RegressedReport();

        var html = HtmlReportRenderer.Render(report, worstCases: 3, maxOutputChars: 80);

        Assert.Contains("Worst-regressed cases", html, StringComparison.Ordinal);
        Assert.Contains("<h3><code>c0</code>: passed 100% → 0% of repeats</h3>", html, StringComparison.Ordinal);
        Assert.Contains("<pre>ok, case 0</pre>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; xxx", html, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0001', html);
        Assert.Contains("x…</pre>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 81), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_metric_gets_an_embedded_png_chart()
    {
        var report = await RegressedReport();

        var html = HtmlReportRenderer.Render(report);

        var images = EmbeddedPng().Matches(html);
        Assert.Equal(report.Comparison.Metrics.Count, images.Count);
        foreach (Match image in images)
        {
            var bytes = Convert.FromBase64String(image.Groups[1].Value);
            Assert.True(bytes.Length > PngSignature.Length);
            Assert.Equal(PngSignature, bytes[..PngSignature.Length]);
        }
    }

    [GeneratedRegex("<img [^>]*>")]
    private static partial Regex ImgTag();

    [GeneratedRegex("<img [^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex EmbeddedPng();
}
