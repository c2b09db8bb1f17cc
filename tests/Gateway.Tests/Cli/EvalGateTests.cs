using System.Net;
using System.Net.Sockets;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Cli;

/// <summary>
/// The evaluation gate never passes on failure (issue #13), end to end through <c>gatewayctl eval run</c>, the real
/// gateway and the mock provider, which echoes the system message so a case's answer shows which version served.
/// </summary>
public sealed class EvalGateTests(TestEnvironment env) : IDisposable
{
    private const int Cases = 20;
    private const string EmptyMapping = "{}";

    private readonly AdminClient _author = new(env.Gateway, TestEnvironment.AuthorToken);
    private readonly AdminClient _approver = new(env.Gateway, TestEnvironment.ApproverToken);
    private readonly AdminClient _operator = new(env.Gateway, TestEnvironment.OperatorToken);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gatewayctl-gate-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_without_pin_fails_every_call_and_the_run_is_incomplete_stored_as_such_and_opens_no_gate()
    {
        var name = Bundles.UniqueName("gate-nopin");
        await ReleaseToProductionAsync(name, Bundle(name, "You are Acme support."));
        (await _author.PushAsync(Bundle(name, "You are Generic support.", """, "eval": { "gate_required": true }"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/2/approve")).Expect(HttpStatusCode.OK);
        var keyWithoutPin = await PromptSetup.KeyAsync(env.Gateway);
        var config = await WriteFilesAsync(name, "icontains", "acme");

        var run = await EvalCli.RunAsync(env.Gateway.BaseUrl, keyWithoutPin, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "stable@production");
        var release = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");
        var listed = await EvalCli.RunAsync(env.Gateway.BaseUrl, keyWithoutPin, "eval", "list", name);

        run.AssertExit(2);
        Assert.Contains($"0/{Cases} · 0/{Cases}", listed.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.Contains("incomplete", listed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("PASS", run.Out, StringComparison.Ordinal);
        Assert.Contains("Result: INCOMPLETE", run.Out, StringComparison.Ordinal);
        Assert.Contains("(incomplete_run)", run.Err, StringComparison.Ordinal);
        Assert.Contains("403", run.Err, StringComparison.Ordinal);
        Assert.Contains($"{Cases} of {Cases} baseline and {Cases} of {Cases} candidate calls failed", run.Err, StringComparison.Ordinal);
        var stored = Assert.Single((await _operator.GetAsync($"/admin/v1/prompts/{name}/evals")).Expect(HttpStatusCode.OK).Json.EnumerateArray());
        Assert.Equal("incomplete", stored.GetProperty("verdict").GetString());
        Assert.False(stored.GetProperty("complete").GetBoolean());
        Assert.Equal("eval_gate_required", release.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Contains("none is complete", release.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_candidate_whose_every_call_fails_fails_the_run_and_cannot_improve_a_lower_is_better_metric()
    {
        var name = Bundles.UniqueName("gate-refusal");
        // v2 needs a variable the dataset never gives: every candidate call is a 400 missing_variable. Failed calls
        // used to score 0 refusals, "improving" a lower-is-better refusal rate.
        await PromptSetup.ReleaseAsync(env.Gateway, name,
        [
            Bundle(name, "You are Acme support."),
            $$$"""{"name":"{{{name}}}","model":"gpt-4o-mini","variables":[{"name":"tier","required":true}],"messages":[{"role":"system","content":"You are {{ tier }} support."}]}""",
        ]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var config = await WriteFilesAsync(name, "is-refusal", null, metric: "refusals", direction: "lower");

        var run = await EvalCli.RunAsync(env.Gateway.BaseUrl, key, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--no-store");

        // The candidate's own calls broke and the baseline's did not: a fail on the error rate, not "incomplete",
        // which the release gate would pass over for an older pass.
        run.AssertExit(100);
        Assert.Contains("Result: FAIL (error-rate)", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("improved", run.Out, StringComparison.Ordinal);
        Assert.Contains("(candidate_calls_failed)", run.Err, StringComparison.Ordinal);
        Assert.Contains("400", run.Err, StringComparison.Ordinal);
        Assert.Contains("tier", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_gateway_exits_3_at_once_without_retrying_every_case()
    {
        var name = Bundles.UniqueName("gate-down");
        var config = await WriteFilesAsync(name, "icontains", "acme");
        var closed = ClosedPort();

        var run = await EvalCli.RunAsync(new Uri($"http://127.0.0.1:{closed}"), "gwk_any", "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--no-store");

        run.AssertExit(3);
        Assert.Contains("(gateway_unreachable)", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("PASS", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Out);
        // Stopped by the preflight: no case ran (before the fix, 2 × 20 calls were each retried with back-off).
        Assert.Contains("checking the gateway before the run", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(" runs, ", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_version_is_admitted_by_its_bundles_thresholds_and_refused_when_it_misses_them()
    {
        var name = Bundles.UniqueName("gate-first");
        var missed = Bundles.UniqueName("gate-first-miss");
        foreach (var (prompt, threshold) in new[] { (name, "0.9"), (missed, "0.9") })
        {
            var system = prompt == name ? "You are Acme support." : "You are Generic support.";
            (await _author.PushAsync(Bundle(prompt, system, $$""", "eval": { "gate_required": true, "thresholds": { "accuracy": {{threshold}} } }"""))).Expect(HttpStatusCode.Created);
            (await _approver.PostAsync($"/admin/v1/prompts/{prompt}/versions/1/approve")).Expect(HttpStatusCode.OK);
        }

        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var config = await WriteFilesAsync(name, "icontains", "acme");

        var admitted = await EvalCli.RunAsync(env.Gateway.BaseUrl, key, "eval", "run", "--config", config, "--candidate", "1", "--baseline", "none");
        var refused = await EvalCli.RunAsync(env.Gateway.BaseUrl, key, "eval", "run", "--config", config, "--prompt", missed, "--candidate", "1", "--baseline", "none");
        var released = await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""");
        var blocked = await _operator.ReleaseAsync(missed, "production", "set", """{"version":1}""");

        admitted.AssertExit(0);
        Assert.Contains("on absolute thresholds", admitted.Out, StringComparison.Ordinal);
        Assert.Contains("Result: PASS", admitted.Out, StringComparison.Ordinal);
        refused.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", refused.Out, StringComparison.Ordinal);
        Assert.Equal(1, released.Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
        Assert.Equal("eval_gate_required", blocked.Expect(HttpStatusCode.Forbidden).ErrorCode);
        var stored = (await _operator.GetAsync($"/admin/v1/prompts/{name}/evals")).Expect(HttpStatusCode.OK).Json[0];
        Assert.Equal("thresholds", stored.GetProperty("mode").GetString());
        Assert.Equal(0.9, stored.GetProperty("thresholds").GetProperty("accuracy").GetDouble());
        Assert.Equal(Cases, stored.GetProperty("calls").GetProperty("candidate").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Stream_gates_the_streamed_answers_and_their_billed_cost()
    {
        var name = Bundles.UniqueName("gate-stream");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support.")]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var config = await WriteFilesAsync(name, "icontains", "acme", extraMetric: "cost");
        var json = Path.Combine(_folder.FullName, "stream.json");

        var run = await EvalCli.RunAsync(env.Gateway.BaseUrl, key, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--stream", "--no-store", "--json", json);

        run.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", run.Out, StringComparison.Ordinal);
        using var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(json, Ct));
        var cost = report.RootElement.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "cost");
        Assert.True(cost.GetProperty("baseline").GetDouble() > 0, "the streamed calls' cost comes from the gateway's usage comment");
        Assert.Equal(0, report.RootElement.GetProperty("errors").GetInt32());
    }

    [Fact]
    public async Task Repeats_auto_stops_as_soon_as_the_regression_is_certain()
    {
        var name = Bundles.UniqueName("gate-auto");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support.")]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var config = await WriteFilesAsync(name, "icontains", "acme");

        var run = await EvalCli.RunAsync(env.Gateway.BaseUrl, key, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--repeats", "auto", "--max-calls", "400", "--no-store");
        var noBudget = await EvalCli.RunAsync(env.Gateway.BaseUrl, key, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--repeats", "auto", "--no-store");

        run.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", run.Out, StringComparison.Ordinal);
        Assert.Contains($"{Cases} cases × 1 repeat, {2 * Cases} calls", run.Out, StringComparison.Ordinal);
        Assert.Contains("adaptive repeats: stopped after 1 round(s)", run.Out, StringComparison.Ordinal);
        Assert.Contains("anytime CI", run.Out, StringComparison.Ordinal);
        noBudget.AssertExit(2);
        Assert.Contains("--max-calls", noBudget.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_none_without_thresholds_is_a_usage_error_before_any_call()
    {
        var name = Bundles.UniqueName("gate-nothresholds");
        (await _author.PushAsync(Bundle(name, "You are Acme support."))).Expect(HttpStatusCode.Created);
        var config = await WriteFilesAsync(name, "icontains", "acme");

        var run = await EvalCli.RunAsync(env.Gateway.BaseUrl, "gwk_unused", "eval", "run", "--config", config, "--candidate", "1", "--baseline", "none");

        run.AssertExit(2);
        Assert.Contains("(no_thresholds)", run.Err, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    public void Dispose()
    {
        _author.Dispose();
        _approver.Dispose();
        _operator.Dispose();
        _folder.Delete(recursive: true);
    }

    private static int ClosedPort()
    {
        // Bind then release: nothing listens there afterwards, so a connection is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task ReleaseToProductionAsync(string name, string bundle)
    {
        (await _author.PushAsync(bundle)).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        (await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
    }

    private static string Bundle(string name, string system, string extra = "") =>
        $$"""{"name":"{{name}}","model":"gpt-4o-mini","messages":[{"role":"system","content":"{{system}}"}]{{extra}}}""";

    private async Task<string> WriteFilesAsync(string prompt, string type, string? value, string metric = "accuracy", string direction = "higher", string? extraMetric = null)
    {
        var assertion = value is null ? $$"""{"type":"{{type}}","metric":"{{metric}}"}""" : $$"""{"type":"{{type}}","value":"{{value}}","metric":"{{metric}}"}""";
        var dataset = new StringBuilder();
        for (var i = 1; i <= Cases; i++)
        {
            dataset.Append($$"""{"id":"c{{i}}","messages":[{"role":"user","content":"question {{i}}"}],"assert":[{{assertion}}]}""").Append('\n');
        }

        var file = Path.Combine(_folder.FullName, $"{prompt}.jsonl");
        await File.WriteAllTextAsync(file, dataset.ToString(), Ct);
        var config = Path.Combine(_folder.FullName, $"{prompt}.yaml");
        await File.WriteAllTextAsync(config, $"""
            prompt: {prompt}
            datasets:
              - {Path.GetFileName(file)}
            metrics:
              {metric}:
                direction: {direction}
              {extraMetric ?? "output-tokens"}: {EmptyMapping}
            seed: 7
            resamples: 500
            concurrency: 8
            """, Ct);
        return config;
    }
}
