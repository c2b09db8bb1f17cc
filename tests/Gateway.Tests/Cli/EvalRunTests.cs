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
        // Two gateways, one after the other, at one URL, each with a store of its own (a demo restarted without its
        // data): the second numbers other bundles 1 and 2, and its v2 loses "Acme".
        var url = new Uri($"http://127.0.0.1:{ClosedPort.Pick()}/");
        var name = Bundles.UniqueName("evalcache");
        var folder = Directory.CreateTempSubdirectory("gatewayctl-eval-");
        try
        {
            var config = await WriteFilesAsync(folder.FullName, name);
            await File.AppendAllTextAsync(config, "\ncache_dir: cache\n", Ct);
            string[] run = ["eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--no-store", "--concurrency", "8"];

            CliRun first;
            await using (var gateway = await GatewayHost.StartAsync(Settings("first"), "--urls", url.ToString()))
            {
                await PromptSetup.ReleaseAsync(gateway, name, [Bundle(name, "You are Acme support."), Bundle(name, "You are Acme help desk.")]);
                first = await EvalCli.RunAsync(url, await PromptSetup.KeyAsync(gateway, "pin"), run);
            }

            await using var restarted = await GatewayHost.StartAsync(Settings("restarted"), "--urls", url.ToString());
            await PromptSetup.ReleaseAsync(restarted, name, [Bundle(name, "You are Acme support."), Bundle(name, "You are Generic support.")]);
            var key = await PromptSetup.KeyAsync(restarted, "pin");
            var second = await EvalCli.RunAsync(url, key, run);
            var again = await EvalCli.RunAsync(url, key, run);

            first.AssertExit(0);
            Assert.Contains("Result: PASS", first.Out, StringComparison.Ordinal);
            second.AssertExit(100);
            Assert.Contains("Result: FAIL (accuracy)", second.Out, StringComparison.Ordinal);
            // The cache still serves the same bundles again.
            again.AssertExit(100);
            Assert.Contains("60/60 runs, 60 cached", again.Err, StringComparison.Ordinal);
            Assert.Contains("60/60 runs, 0 cached", second.Err, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        Dictionary<string, string?> Settings(string store)
        {
            var settings = env.GatewaySettings();
            settings["Redis:KeyPrefix"] = $"{env.KeyPrefix}:{store}";
            return settings;
        }
    }

    [Fact]
    public async Task A_cache_dir_never_serves_one_bundles_answers_for_another_when_two_bundles_swap_numbers()
    {
        // The same two bundles in both stores, numbered the other way round: the cache must tie each number to its bundle.
        var url = new Uri($"http://127.0.0.1:{ClosedPort.Pick()}/");
        var name = Bundles.UniqueName("evalswap");
        var folder = Directory.CreateTempSubdirectory("gatewayctl-eval-");
        try
        {
            var config = await WriteFilesAsync(folder.FullName, name);
            await File.AppendAllTextAsync(config, "\ncache_dir: cache\n", Ct);
            var acme = Bundle(name, "You are Acme support.");
            var generic = Bundle(name, "You are Generic support.");

            CliRun first;
            await using (var gateway = await GatewayHost.StartAsync(Settings("first"), "--urls", url.ToString()))
            {
                await PromptSetup.ReleaseAsync(gateway, name, [acme, generic]);
                first = await EvalCli.RunAsync(url, await PromptSetup.KeyAsync(gateway, "pin"),
                    "eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--no-store", "--concurrency", "8");
            }

            await using var restarted = await GatewayHost.StartAsync(Settings("restarted"), "--urls", url.ToString());
            await PromptSetup.ReleaseAsync(restarted, name, [generic, acme]);
            var swapped = await EvalCli.RunAsync(url, await PromptSetup.KeyAsync(restarted, "pin"),
                "eval", "run", "--config", config, "--candidate", "1", "--baseline", "2", "--no-store", "--concurrency", "8");

            first.AssertExit(100);
            swapped.AssertExit(100);
            Assert.Contains("Result: FAIL (accuracy)", swapped.Out, StringComparison.Ordinal);
            Assert.Contains("60/60 runs, 0 cached", swapped.Err, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        Dictionary<string, string?> Settings(string store)
        {
            var settings = env.GatewaySettings();
            settings["Redis:KeyPrefix"] = $"{env.KeyPrefix}:swap-{store}";
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
