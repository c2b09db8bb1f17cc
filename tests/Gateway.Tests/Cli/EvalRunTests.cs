using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Cli;

/// <summary>
/// <c>gatewayctl eval run</c> end to end against the real gateway: the mock provider echoes the system message, so a
/// candidate that drops "Acme" from it fails every "acme" assertion, and the gate must blame accuracy.
/// </summary>
public sealed class EvalRunTests(TestEnvironment env)
{
    private const int Cases = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_candidate_that_loses_the_company_name_fails_on_accuracy_and_the_same_version_passes()
    {
        var name = Bundles.UniqueName("eval");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support.")]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var folder = Directory.CreateTempSubdirectory("gatewayctl-eval-");
        try
        {
            var config = await WriteFilesAsync(folder.FullName, name);
            var markdown = Path.Combine(folder.FullName, "report.md");
            var json = Path.Combine(folder.FullName, "report.json");
            var junit = Path.Combine(folder.FullName, "report.xml");
            var html = Path.Combine(folder.FullName, "report.html");

            var regressed = await RunAsync(key, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1",
                "--markdown", markdown, "--json", json, "--junit", junit, "--html", html, "--concurrency", "8");
            var same = await RunAsync(key, "eval", "run", "--config", config, "--candidate", "1", "--baseline", $"stable@{PromptSetup.Environment}");
            var listed = await RunAsync(key, "eval", "list", name, "--version", "2");
            var listedJson = await RunAsync(key, "eval", "list", name, "--json");

            regressed.AssertExit(100);
            Assert.Contains("accuracy", regressed.Out, StringComparison.Ordinal);
            Assert.Contains("REGRESSED", regressed.Out, StringComparison.Ordinal);
            Assert.Contains("Result: FAIL (accuracy)", regressed.Out, StringComparison.Ordinal);
            Assert.Contains($"{Cases * 2}/{Cases * 2} runs", regressed.Err, StringComparison.Ordinal);
            var markdownText = await File.ReadAllTextAsync(markdown, Ct);
            Assert.Contains("accuracy", markdownText, StringComparison.Ordinal);
            Assert.Contains("FAIL", markdownText, StringComparison.Ordinal);
            Assert.Contains("\"accuracy\"", await File.ReadAllTextAsync(json, Ct), StringComparison.Ordinal);
            Assert.Contains("type=\"regressed\"", await File.ReadAllTextAsync(junit, Ct), StringComparison.Ordinal);
            var htmlText = await File.ReadAllTextAsync(html, Ct);
            Assert.StartsWith("<!DOCTYPE html>", htmlText, StringComparison.Ordinal);
            Assert.Contains("data:image/png;base64,", htmlText, StringComparison.Ordinal);

            same.AssertExit(0);
            Assert.Contains("Result: PASS", same.Out, StringComparison.Ordinal);
            Assert.Contains($"{name}@v1 → {name}@v1", same.Out, StringComparison.Ordinal);

            Assert.Contains("Stored as evr_", regressed.Out, StringComparison.Ordinal);
            listed.AssertExit(0);
            Assert.Contains("fail", listed.Out, StringComparison.Ordinal);
            Assert.Contains("accuracy", listed.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("pass", listed.Out, StringComparison.Ordinal);
            var runs = System.Text.Json.JsonDocument.Parse(listedJson.AssertExit(0).Out).RootElement;
            Assert.Equal(["pass", "fail"], runs.EnumerateArray().Select(r => r.GetProperty("verdict").GetString()));
            Assert.Equal(PromptSetup.Environment, runs[0].GetProperty("baseline").GetProperty("environment").GetString());
            var id = runs[1].GetProperty("id").GetString()!;
            var shown = await RunAsync(key, "eval", "show", name, id);
            Assert.Contains("accuracy", shown.AssertExit(0).Out, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_report_path_that_cannot_be_written_is_refused_before_any_call_is_paid_for()
    {
        var name = Bundles.UniqueName("eval-unwritable");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support.")]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var folder = Directory.CreateTempSubdirectory("gatewayctl-eval-");
        try
        {
            var config = await WriteFilesAsync(folder.FullName, name);

            var run = await RunAsync(key, "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1",
                "--junit", Path.Combine(folder.FullName, "missing", "report.xml"));

            run.AssertExit(2);
            Assert.Contains("(unwritable_file)", run.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("Result:", run.Out, StringComparison.Ordinal);
            var stored = System.Text.Json.JsonDocument.Parse((await RunAsync(key, "eval", "list", name, "--json")).AssertExit(0).Out).RootElement;
            Assert.Equal(0, stored.GetArrayLength());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_invalid_config_exits_2_with_the_readers_messages()
    {
        var folder = Directory.CreateTempSubdirectory("gatewayctl-eval-");
        try
        {
            var config = Path.Combine(folder.FullName, "eval.yaml");
            await File.WriteAllTextAsync(config, "datasets: [missing.jsonl]\nmetrics:\n  accuracy:\n    max_regresion: 0.02\n", Ct);

            var run = await RunAsync("gwk_unused", "eval", "run", "--config", config, "--prompt", "p", "--candidate", "2", "--baseline", "1");

            run.AssertExit(2);
            Assert.Contains("max_regresion", run.Err, StringComparison.Ordinal);
            Assert.Empty(run.Out);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_cache_dir_never_serves_the_answers_of_another_bundle_that_had_the_same_version_number()
    {
        // The restarted store numbers other bundles 1 and 2, and its v2 loses "Acme".
        var name = Bundles.UniqueName("evalcache");
        var runs = await AcrossARestartAsync(
            name,
            ([Bundle(name, "You are Acme support."), Bundle(name, "You are Acme help desk.")], ["--candidate", "2", "--baseline", "1"]),
            ([Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support.")], ["--candidate", "2", "--baseline", "1"]),
            again: true);

        runs.First.AssertExit(0);
        Assert.Contains("Result: PASS", runs.First.Out, StringComparison.Ordinal);
        runs.Restarted.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", runs.Restarted.Out, StringComparison.Ordinal);
        Assert.Contains("60/60 runs, 0 cached", runs.Restarted.Err, StringComparison.Ordinal);
        // The cache still serves the same bundles again.
        runs.Again!.AssertExit(100);
        Assert.Contains("60/60 runs, 60 cached", runs.Again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_dir_never_serves_one_bundles_answers_for_another_when_two_bundles_swap_numbers()
    {
        // The same two bundles in both stores, numbered the other way round: the cache must tie each number to its bundle.
        var name = Bundles.UniqueName("evalswap");
        var (acme, generic) = (Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support."));
        var runs = await AcrossARestartAsync(
            name,
            ([acme, generic], ["--candidate", "2", "--baseline", "1"]),
            ([generic, acme], ["--candidate", "1", "--baseline", "2"]));

        runs.First.AssertExit(100);
        runs.Restarted.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", runs.Restarted.Out, StringComparison.Ordinal);
        Assert.Contains("60/60 runs, 0 cached", runs.Restarted.Err, StringComparison.Ordinal);
    }

    /// <summary>
    /// One eval config with a <c>cache_dir</c>, run against two gateways one after the other at one URL, each with a
    /// store of its own (a demo restarted without its data) and its own bundles; <paramref name="again"/> runs the
    /// second once more.
    /// </summary>
    private async Task<(CliRun First, CliRun Restarted, CliRun? Again)> AcrossARestartAsync(
        string name, (string[] Bundles, string[] Versions) first, (string[] Bundles, string[] Versions) restarted, bool again = false)
    {
        var url = new Uri($"http://127.0.0.1:{ClosedPort.Pick()}/");
        var folder = Directory.CreateTempSubdirectory("gatewayctl-eval-");
        try
        {
            var config = await WriteFilesAsync(folder.FullName, name);
            await File.AppendAllTextAsync(config, "\ncache_dir: cache\n", Ct);
            string[] Run(string[] versions) => ["eval", "run", "--config", config, .. versions, "--no-store", "--concurrency", "8"];

            CliRun firstRun;
            await using (var gateway = await GatewayHost.StartAsync(Settings("a"), "--urls", url.ToString()))
            {
                await PromptSetup.ReleaseAsync(gateway, name, first.Bundles);
                firstRun = await EvalCli.RunAsync(url, await PromptSetup.KeyAsync(gateway, "pin"), Run(first.Versions));
            }

            await using var second = await GatewayHost.StartAsync(Settings("b"), "--urls", url.ToString());
            await PromptSetup.ReleaseAsync(second, name, restarted.Bundles);
            var key = await PromptSetup.KeyAsync(second, "pin");
            var restartedRun = await EvalCli.RunAsync(url, key, Run(restarted.Versions));
            return (firstRun, restartedRun, again ? await EvalCli.RunAsync(url, key, Run(restarted.Versions)) : null);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        // A prefix of its own per gateway and test (at most 32 characters).
        Dictionary<string, string?> Settings(string store)
        {
            var settings = env.GatewaySettings();
            settings["Redis:KeyPrefix"] = $"{env.KeyPrefix}:{store}{name[^6..]}";
            return settings;
        }
    }

    private static string Bundle(string name, string system) =>
        $$"""{"name":"{{name}}","model":"gpt-4o-mini","messages":[{"role":"system","content":"{{system}}"}]}""";

    private static async Task<string> WriteFilesAsync(string folder, string prompt)
    {
        var dataset = new StringBuilder();
        for (var i = 1; i <= Cases; i++)
        {
            dataset.Append("{\"id\":\"c").Append(i)
                .Append("\",\"messages\":[{\"role\":\"user\",\"content\":\"question ").Append(i)
                .Append("\"}],\"assert\":[{\"type\":\"icontains\",\"value\":\"acme\",\"metric\":\"accuracy\"}]}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "golden.jsonl"), dataset.ToString(), Ct);
        var config = Path.Combine(folder, "eval.yaml");
        await File.WriteAllTextAsync(config, $"""
            prompt: {prompt}
            datasets:
              - golden.jsonl
            metrics:
              accuracy:
                direction: higher
                tolerance: absolute
                max_regression: 0.02
            seed: 7
            resamples: 500
            """, Ct);
        return config;
    }

    private Task<CliRun> RunAsync(string gatewayKey, params string[] args) => EvalCli.RunAsync(env.Gateway.BaseUrl, gatewayKey, args);
}
