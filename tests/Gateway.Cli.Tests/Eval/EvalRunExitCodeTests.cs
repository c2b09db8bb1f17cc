using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Eval;

/// <summary>
/// What eval run exits with when something fails after the verdict: a FAIL stays 100 (storing or a report failing is
/// said on stderr), anything else becomes 2 (3 when the gateway could not be reached to store it), and the JSON report's
/// <c>exit_code</c> is always the code the process returned.
/// </summary>
public sealed class EvalRunExitCodeTests
{
    private static HttpResponseMessage? StoreRefused(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/evals", StringComparison.Ordinal)
            ? FakeAdminApi.Error(HttpStatusCode.Forbidden, "The admin token lacks the author role.", "permission_error", "forbidden")
            : null;

    private static int JsonExitCode(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        return json.RootElement.GetProperty("exit_code").GetInt32();
    }

    [Fact]
    public async Task A_fail_stays_100_when_storing_the_run_is_refused_and_the_json_report_says_100()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        using var api = FakeEvalGateway.Create(StoreRefused);
        var json = workspace.PathOf("report.json");

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--json", json));

        run.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", run.Out, StringComparison.Ordinal);
        Assert.Contains("error: storing the run (pass --no-store to skip): The admin token lacks the author role. (forbidden)", run.Err, StringComparison.Ordinal);
        Assert.Equal(100, JsonExitCode(json));
    }

    [Fact]
    public async Task A_fail_stays_100_when_the_gateway_cannot_be_reached_to_store_it()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        using var api = FakeEvalGateway.Create(request =>
            request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/evals", StringComparison.Ordinal)
                ? throw new HttpRequestException("Connection refused")
                : null);

        var run = await api.RunAsync(workspace.RunArgs("2", "1"));

        run.AssertExit(100);
        Assert.Contains("(gateway_unreachable)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fail_stays_100_and_its_json_report_is_written_when_the_store_answers_without_an_id()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        using var api = FakeEvalGateway.Create(request =>
            request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/evals", StringComparison.Ordinal)
                ? FakeEvalGateway.Json(HttpStatusCode.Created, "[]")
                : null);
        var json = workspace.PathOf("report.json");

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--json", json));

        run.AssertExit(100);
        Assert.Contains("(unexpected_response)", run.Err, StringComparison.Ordinal);
        Assert.Equal(100, JsonExitCode(json));
    }

    [Fact]
    public async Task Without_an_admin_token_a_run_to_be_stored_is_refused_before_any_call()
    {
        // A numeric --baseline reads nothing from the admin API: the run was paid for and lost at its end (exit 2).
        using var workspace = await EvalWorkspace.CreateAsync(cases: 3);
        using var api = FakeEvalGateway.Create();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await GatewayCtl.RunAsync(
            workspace.RunArgs("2", "1"),
            stdout,
            stderr,
            api,
            new Dictionary<string, string?> { ["GATEWAY_URL"] = FakeAdminApi.BaseUrl },
            TestContext.Current.CancellationToken);

        Assert.True(exit == 2, $"exit {exit}\n{stderr}");
        Assert.Contains("No admin token", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("--no-store", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_fail_stays_100_when_a_report_cannot_be_written_and_the_run_is_still_stored()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        var reports = Directory.CreateDirectory(workspace.PathOf("reports")).FullName;
        var junit = Path.Combine(reports, "eval.xml");
        // The report's folder exists when the run starts and is gone by the time the report is written.
        using var api = FakeEvalGateway.Create(request =>
        {
            if (request.RequestUri!.AbsolutePath == "/v1/chat/completions" && Directory.Exists(reports))
            {
                Directory.Delete(reports);
            }

            return null;
        });

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--junit", junit));

        run.AssertExit(100);
        Assert.Contains($"Cannot write {junit}", run.Err, StringComparison.Ordinal);
        Assert.Contains("(unwritable_file)", run.Err, StringComparison.Ordinal);
        Assert.Contains("Stored as evr_test", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fail_whose_reason_cuts_an_emoji_writes_every_report_is_stored_and_exits_100()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        var dataset = string.Concat(Enumerable.Range(1, 20).Select(i =>
            $$"""{"id":"c{{i}}","messages":[{"role":"user","content":"question {{i}}"}],"assert":[{"type":"starts-with","value":"AB","metric":"accuracy"}]}""" + "\n"));
        await File.WriteAllTextAsync(workspace.PathOf("golden.jsonl"), dataset, TestContext.Current.CancellationToken);
        // The candidate opens with an emoji: "output starts with ..." shows its first two UTF-16 units, half of the pair.
        using var api = FakeEvalGateway.Create(request =>
        {
            if (request.RequestUri!.AbsolutePath != "/v1/chat/completions")
            {
                return null;
            }

            var version = request.Headers.GetValues("X-Prompt-Version").Single();
            var content = version == "1" ? "AB support here." : "A\\ud83d\\udc4b support here.";
            var response = FakeEvalGateway.Json(HttpStatusCode.OK, $$$"""{"choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"}}]}""");
            response.Headers.TryAddWithoutValidation("X-Prompt-Version", version);
            response.Headers.TryAddWithoutValidation("X-Prompt-Name", FakeEvalGateway.Prompt);
            return response;
        });
        var junit = workspace.PathOf("eval.xml");
        var json = workspace.PathOf("report.json");
        var markdown = workspace.PathOf("eval.md");

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--junit", junit, "--markdown", markdown, "--json", json));

        run.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", run.Out, StringComparison.Ordinal);
        Assert.Contains("Stored as evr_test", run.Out, StringComparison.Ordinal);
        var failure = XDocument.Load(junit).Descendants("testcase").First(t => (string?)t.Attribute("name") == "c1").Element("failure")!.Value;
        Assert.Contains("output starts with \"A\", not \"AB\"", failure, StringComparison.Ordinal);
        Assert.True(File.Exists(markdown));
        Assert.Equal(100, JsonExitCode(json));
    }

    [Fact]
    public async Task A_pass_whose_store_is_refused_exits_2_and_the_json_report_says_2()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        using var api = FakeEvalGateway.Create(StoreRefused);
        var json = workspace.PathOf("report.json");

        var run = await api.RunAsync(workspace.RunArgs("1", "1", "--json", json));

        run.AssertExit(2);
        Assert.Contains("Result: PASS", run.Out, StringComparison.Ordinal);
        Assert.Contains("(forbidden)", run.Err, StringComparison.Ordinal);
        Assert.Equal(2, JsonExitCode(json));
    }

    [Fact]
    public async Task A_pass_with_an_unwritten_report_exits_2_and_the_json_report_written_after_it_says_2()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        var reports = Directory.CreateDirectory(workspace.PathOf("reports")).FullName;
        var json = workspace.PathOf("report.json");
        using var api = FakeEvalGateway.Create(request =>
        {
            if (request.RequestUri!.AbsolutePath == "/v1/chat/completions" && Directory.Exists(reports))
            {
                Directory.Delete(reports);
            }

            return null;
        });

        var run = await api.RunAsync(workspace.RunArgs("1", "1", "--markdown", Path.Combine(reports, "eval.md"), "--json", json));

        run.AssertExit(2);
        Assert.Contains("(unwritable_file)", run.Err, StringComparison.Ordinal);
        Assert.Equal(2, JsonExitCode(json));
    }

    [Fact]
    public async Task A_pass_stored_exits_0_and_the_json_report_says_0()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        using var api = FakeEvalGateway.Create();
        var json = workspace.PathOf("report.json");

        var run = await api.RunAsync(workspace.RunArgs("1", "1", "--json", json));

        run.AssertExit(0);
        Assert.Equal(0, JsonExitCode(json));
    }
}
