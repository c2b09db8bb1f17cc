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

/// <summary>
/// Reasons cut model output at UTF-16 lengths; a cut inside an emoji's surrogate pair used to leave half of it, which
/// XML cannot carry: the JUnit report threw instead of being written.
/// </summary>
public sealed class SurrogateReportTests
{
    private const string Waving = "\U0001F44B";

    [Fact]
    public async Task A_starts_with_failure_on_output_opening_with_an_emoji_renders_every_report()
    {
        var lines = Enumerable.Range(0, 10).Select(i => $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":[{"type":"starts-with","value":"AB","metric":"accuracy"}]}""");
        var dataset = DatasetReader.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "golden.jsonl");
        var config = new EvalConfig
        {
            Datasets = ["golden.jsonl"],
            Metrics = [new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) }],
            Seed = 7,
            Resamples = 200,
        };
        var baseline = new PromptTarget("bot", 1);
        var executor = new FakeCaseExecutor((r, _) => new CaseExecution { Output = r.Target == baseline ? "AB fine" : $"A{Waving} hello" });
        var run = await new EvalRunner(executor, ScorerRegistry.CreateDefault())
            .RunAsync(config, [dataset], baseline, new PromptTarget("bot", 2), TestContext.Current.CancellationToken);
        var report = EvalReport.Create(run);

        var xml = JUnitReport.Render(report);

        Assert.Equal(GateResult.Fail, report.Result);
        var failure = XDocument.Parse(xml).Descendants("testcase").First(t => (string?)t.Attribute("name") == "c0").Element("failure")!.Value;
        Assert.Equal("starts-with: FAIL (0): output starts with \"A\", not \"AB\"", failure);
        using var json = JsonDocument.Parse(JsonReport.Render(report));
        Assert.NotEmpty(MarkdownReport.Render(report));
        Assert.NotEmpty(HtmlReportRenderer.Render(report));
    }

    [Fact]
    public void Junit_text_drops_lone_surrogate_halves_and_keeps_whole_pairs()
    {
        Assert.Equal($"ab{Waving}c", JUnitReport.Clean($"a\uD83Db{Waving}\uDC4Bc\u0001"));
    }

    [Theory]
    [InlineData(1, "A")]
    [InlineData(2, "A")]
    [InlineData(3, "A\U0001F44B")]
    [InlineData(0, "")]
    public void A_cut_never_splits_a_surrogate_pair(int max, string expected)
    {
        Assert.Equal(expected, TextCut.Prefix($"A{Waving}z", max).ToString());
    }

    [Fact]
    public void A_schema_problem_quoting_a_long_reference_cuts_before_an_emoji()
    {
        using var schema = System.Text.Json.JsonDocument.Parse("{\"$ref\":\"https://example.com/" + new string('x', 59) + Waving + "\"}");

        Assert.False(JsonSchemaCheck.TryBuild(schema.RootElement, out _, out var error));
        Assert.DoesNotContain(error, char.IsSurrogate);
        Assert.Contains(new string('x', 59) + "…", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_and_truncations_cut_before_an_emoji_they_would_split()
    {
        var text = new string('x', 79) + Waving + "tail";

        Assert.Equal("\"" + new string('x', 79) + "…\"", AssertionValue.Quote(text));
        Assert.Equal(new string('x', 79) + "…", ReportFormat.Truncate(text, 80));
        Assert.Equal(new string('x', 79) + Waving + "…", ReportFormat.Truncate(text, 81));
    }
}
