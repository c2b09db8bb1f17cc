using System.Net;
using LlmGateway.Cli.Prompts;
using LlmGateway.Cli.Tests.Infrastructure;
using LlmGateway.Contracts.EvalRuns;

namespace LlmGateway.Cli.Tests.Prompts;

/// <summary><c>gatewayctl prompts show &lt;name&gt;</c>: each version's newest evaluation run beside it.</summary>
public sealed class PromptsShowCommandTests
{
    private const string Detail = """
        {"name":"support-bot","versions":[
          {"id":"aaaaaaaaaaaaaaaa","name":"support-bot","version":1,"label":null,"message":null,"author":"ada","created_at":"2026-11-29T12:00:00Z","parent":null,"status":"approved","approved_by":"bob","approved_at":"2026-11-29T12:05:00Z"},
          {"id":"bbbbbbbbbbbbbbbb","name":"support-bot","version":2,"label":null,"message":null,"author":"ada","created_at":"2026-11-30T12:00:00Z","parent":1,"status":"approved","approved_by":"bob","approved_at":"2026-11-30T12:05:00Z",
           "latest_eval":{"id":"evr_0123456789abcdef","verdict":"pass","baseline_version":1,"created_at":"2026-11-30T12:10:00Z",
             "metrics":[{"name":"accuracy","baseline":0.9,"candidate":0.912,"delta":0.012,"verdict":"unchanged","gated":true},
                        {"name":"cost","baseline":0.02,"candidate":0.0194,"delta":-0.0006,"verdict":"improved","gated":true},
                        {"name":"latency_ms","baseline":800,"candidate":776,"delta":-24,"verdict":"unchanged","gated":true}]}}],
         "releases":{}}
        """;

    [Fact]
    public async Task Show_lists_each_evaluated_version_with_its_newest_run()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Detail);

        var run = await api.RunAsync("prompts", "show", "support-bot");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/prompts/support-bot", api.OnlyPathAndQuery);
        Assert.Contains(
            "  v2  approved  eval: pass vs v1 (accuracy +1.2 pp, cost -3%, latency_ms -3%) evr_0123456789abcdef" + Environment.NewLine,
            run.Out,
            StringComparison.Ordinal);
        Assert.DoesNotContain("  v1  approved  eval", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task Show_leaves_the_section_out_when_no_version_has_a_run()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, """{"name":"bot","versions":[{"id":"a","name":"bot","version":1,"status":"draft","author":"ada"}],"releases":{}}""");

        var run = await api.RunAsync("prompts", "show", "bot");

        run.AssertExit(0);
        Assert.DoesNotContain("Evaluations", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.9, 0.85, -0.05, "-5.0 pp")]
    [InlineData(0.5, 0.5, 0.0, "0.0 pp")]
    [InlineData(200.0, 250.0, 50.0, "+25%")]
    [InlineData(0.0, 0.25, 0.25, "+25.0 pp")]
    [InlineData(0.0, 3.5, 3.5, "+3.5")]
    [InlineData(0.02, 0.0194, -0.0006, "-3%", "cost")]
    public void Deltas_read_as_points_for_fractions_and_percent_otherwise(double baseline, double candidate, double delta, string expected, string name = "m") =>
        Assert.Equal(expected, new EvalRunMetric { Name = name, Baseline = baseline, Candidate = candidate, Delta = delta, Verdict = "unchanged" }.DeltaText());
}
