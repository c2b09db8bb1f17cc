using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Cli;

/// <summary>gatewayctl end to end against a real gateway: the README's control-plane walk-through.</summary>
public sealed class GatewayCtlTests(TestEnvironment env)
{
    [Fact]
    public async Task Push_approve_release_canary_roll_back_and_ask_what_was_active()
    {
        var name = Bundles.UniqueName("cli");
        var folder = Directory.CreateTempSubdirectory("gatewayctl-");
        try
        {
            var file = Path.Combine(folder.FullName, "bot.yaml");
            await File.WriteAllTextAsync(file, Yaml(name, "Be helpful."), TestContext.Current.CancellationToken);

            var pushed = await RunAsync(TestEnvironment.AuthorToken, "prompts", "push", file);
            var again = await RunAsync(TestEnvironment.AuthorToken, "prompts", "push", file);
            var approved = await RunAsync(TestEnvironment.ApproverToken, "prompts", "approve", name, "1", "--reason", "reviewed");
            var released = await RunAsync(TestEnvironment.OperatorToken, "release", "set", name, "--env", "production", "--version", "1", "--reason", "launch");
            var launchedAt = DateTimeOffset.UtcNow;
            await Task.Delay(20, TestContext.Current.CancellationToken);

            await File.WriteAllTextAsync(file, Yaml(name, "Be helpful and brief."), TestContext.Current.CancellationToken);
            var pushedV2 = await RunAsync(TestEnvironment.AuthorToken, "prompts", "push", folder.FullName);
            var unapprovedCanary = await RunAsync(TestEnvironment.OperatorToken, "release", "canary", name, "--env", "production", "--version", "2", "--percent", "10");
            (await RunAsync(TestEnvironment.ApproverToken, "prompts", "approve", name, "v2")).AssertExit(0);
            var canary = await RunAsync(TestEnvironment.OperatorToken, "--json", "release", "canary", name, "--env", "production", "--version", "2", "--percent", "10");
            var promoted = await RunAsync(TestEnvironment.OperatorToken, "release", "promote", name, "--env", "production");
            var rolledBack = await RunAsync(TestEnvironment.OperatorToken, "release", "rollback", name, "--env", "production", "--reason", "tone regressed");
            var history = await RunAsync(TestEnvironment.ViewerToken, "--json", "history", name, "--env", "production");
            var activeAtLaunch = await RunAsync(TestEnvironment.ViewerToken, "--json", "history", name, "--env", "production", "--at", launchedAt.ToString("o"));
            var diff = await RunAsync(TestEnvironment.ViewerToken, "prompts", "diff", name, "1", "2");

            pushed.AssertExit(0);
            Assert.Contains("created", pushed.Out, StringComparison.Ordinal);
            Assert.Contains("unchanged", again.AssertExit(0).Out, StringComparison.Ordinal);
            approved.AssertExit(0);
            released.AssertExit(0);
            Assert.Contains("created", pushedV2.AssertExit(0).Out, StringComparison.Ordinal);
            Assert.Contains("not_approved", unapprovedCanary.AssertExit(1).Err, StringComparison.Ordinal);
            using (var json = JsonDocument.Parse(canary.AssertExit(0).Out))
            {
                Assert.Equal(2, json.RootElement.GetProperty("canary").GetInt32());
                Assert.Equal(1000, json.RootElement.GetProperty("canary_weight").GetInt32());
            }

            promoted.AssertExit(0);
            rolledBack.AssertExit(0);
            using (var json = JsonDocument.Parse(history.AssertExit(0).Out))
            {
                Assert.Equal(["release-set", "canary-start", "promote", "rollback"], json.RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
            }

            using (var json = JsonDocument.Parse(activeAtLaunch.AssertExit(0).Out))
            {
                Assert.Equal(1, json.RootElement.GetProperty("release").GetProperty("stable").GetInt32());
                Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("release").GetProperty("canary").ValueKind);
            }

            Assert.Contains("+", diff.AssertExit(0).Out, StringComparison.Ordinal);
            Assert.Contains("brief", diff.Out, StringComparison.Ordinal);

            // And the rollback is what the store holds.
            var store = env.Gateway.GetRequiredService<GatewayStore>();
            var raw = (string?)await store.Database.StringGetAsync(store.Keys.Release(name, "production"));
            Assert.Contains("\"stable\":1", raw, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Exit_codes_say_refused_unauthenticated_and_unreachable()
    {
        var refused = await RunAsync(TestEnvironment.OperatorToken, "release", "show", "no-such-prompt", "--env", "production");
        var unauthenticated = await RunAsync("wrong-token-wrong-token", "prompts", "list");
        var unreachable = await RunWithAsync(new Dictionary<string, string?> { ["GATEWAY_URL"] = "http://127.0.0.1:1", ["GATEWAY_ADMIN_TOKEN"] = TestEnvironment.ViewerToken }, "prompts", "list");
        var usage = await RunAsync(TestEnvironment.OperatorToken, "release", "canary", "x", "--env", "production", "--version", "1");

        Assert.Contains("prompt_not_found", refused.AssertExit(1).Err, StringComparison.Ordinal);
        unauthenticated.AssertExit(4);
        unreachable.AssertExit(3);
        usage.AssertExit(2);
        Assert.DoesNotContain(TestEnvironment.OperatorToken, refused.Err + refused.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_are_issued_listed_and_revoked()
    {
        var created = await RunAsync(TestEnvironment.OperatorToken, "--json", "keys", "create", "--app", "cli-app", "--env", "staging", "--permission", "pin");
        using var json = JsonDocument.Parse(created.AssertExit(0).Out);
        var id = json.RootElement.GetProperty("record").GetProperty("id").GetString()!;
        var secret = json.RootElement.GetProperty("key").GetString()!;

        var listed = await RunAsync(TestEnvironment.ViewerToken, "keys", "list");
        var revoked = await RunAsync(TestEnvironment.OperatorToken, "keys", "revoke", id);

        Assert.StartsWith("gwk_", secret, StringComparison.Ordinal);
        Assert.Contains(id, listed.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Out, StringComparison.Ordinal);
        revoked.AssertExit(0);
        (await RunAsync(TestEnvironment.OperatorToken, "keys", "revoke", id)).AssertExit(1);
    }

    [Fact]
    public async Task Sampled_requests_are_listed_shown_and_exported()
    {
        var name = Bundles.UniqueName("cli-smp");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "debug");
        var replies = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            replies.Add(await ForcedSampleAsync(key, name));
        }

        // The writer stores samples in batches: poll the CLI itself until both are listed.
        var listed = await Eventually.ResultAsync(
            () => RunAsync(TestEnvironment.SampleReaderToken, "--json", "samples", "list", "--prompt", name),
            run => run.Exit == 0 && SampleIds(run).Length == 2,
            TimeSpan.FromSeconds(5));
        var ids = SampleIds(listed.AssertExit(0));
        Assert.Equal(2, ids.Length);

        var table = await RunAsync(TestEnvironment.SampleReaderToken, "samples", "list", "--prompt", name);
        var shown = await RunAsync(TestEnvironment.SampleReaderToken, "samples", "show", ids[0]);

        Assert.All(ids, id => Assert.Contains(id, table.AssertExit(0).Out, StringComparison.Ordinal));
        Assert.Contains($"{name}@v1", table.Out, StringComparison.Ordinal);
        shown.AssertExit(0);
        Assert.Contains($"Sample {ids[0]} ", shown.Out, StringComparison.Ordinal);
        Assert.Contains($"Route: {name} v1 (stable) in {PromptSetup.Environment}", shown.Out, StringComparison.Ordinal);
        Assert.Contains("(sampled: forced)", shown.Out, StringComparison.Ordinal);
        Assert.Contains(replies[0], shown.Out, StringComparison.Ordinal);
        Assert.Contains("company:  Acme", shown.Out, StringComparison.Ordinal);

        var folder = Directory.CreateTempSubdirectory("gatewayctl-samples-");
        try
        {
            var file = Path.Combine(folder.FullName, "golden.jsonl");
            var exported = await RunAsync(TestEnvironment.SampleReaderToken, "samples", "export", "--prompt", name, "--output", file);

            Assert.Equal($"Exported 2 samples to {file}" + Environment.NewLine, exported.AssertExit(0).Out);
            var lines = await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken);
            Assert.Equal(2, lines.Length);
            foreach (var line in lines)
            {
                using var example = JsonDocument.Parse(line);
                Assert.Equal(name, example.RootElement.GetProperty("metadata").GetProperty("prompt").GetString());
                Assert.Contains(example.RootElement.GetProperty("id").GetString(), ids);
                Assert.Equal(replies[0], example.RootElement.GetProperty("output").GetProperty("text").GetString());
            }

            Assert.Equal([file], Directory.GetFiles(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Release_sampling_is_set_shown_and_reset_to_the_defaults()
    {
        var name = Bundles.UniqueName("cli-rate");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);

        var set = await RunAsync(TestEnvironment.OperatorToken, "release", "sampling", name, "--env", PromptSetup.Environment, "--canary", "50%", "--floor", "10", "--reason", "compare arms");
        var shown = await RunAsync(TestEnvironment.ViewerToken, "release", "show", name, "--env", PromptSetup.Environment);
        var shownJson = await RunAsync(TestEnvironment.ViewerToken, "--json", "release", "show", name, "--env", PromptSetup.Environment);
        var invalid = await RunAsync(TestEnvironment.OperatorToken, "release", "sampling", name, "--env", PromptSetup.Environment, "--canary", "2");
        var viewer = await RunAsync(TestEnvironment.ViewerToken, "release", "sampling", name, "--env", PromptSetup.Environment, "--reset");
        var stale = await RunAsync(TestEnvironment.OperatorToken, "release", "sampling", name, "--env", PromptSetup.Environment, "--reset", "--revision", "1");
        var reset = await RunAsync(TestEnvironment.OperatorToken, "release", "sampling", name, "--env", PromptSetup.Environment, "--reset");
        var afterReset = await RunAsync(TestEnvironment.ViewerToken, "--json", "release", "show", name, "--env", PromptSetup.Environment);
        var unreleased = await RunAsync(TestEnvironment.OperatorToken, "release", "sampling", name, "--env", "production", "--stable", "0.1");

        Assert.StartsWith("Sampling set: stable default, canary 50%, floor 10/h." + Environment.NewLine, set.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.Contains("  sampling:         stable default, canary 50%, floor 10/h" + Environment.NewLine, set.Out, StringComparison.Ordinal);
        Assert.Contains("  sampling:         stable default, canary 50%, floor 10/h" + Environment.NewLine, shown.AssertExit(0).Out, StringComparison.Ordinal);
        long revision;
        using (var json = JsonDocument.Parse(shownJson.AssertExit(0).Out))
        {
            var sampling = json.RootElement.GetProperty("sampling");
            Assert.Equal(0.5m, sampling.GetProperty("canary").GetDecimal());
            Assert.Equal(10, sampling.GetProperty("floor_per_hour").GetInt32());
            Assert.True(!sampling.TryGetProperty("stable", out var stable) || stable.ValueKind == JsonValueKind.Null);
            revision = json.RootElement.GetProperty("revision").GetInt64();
        }

        // Refused locally: nothing reached the gateway, so the release is still at the same revision.
        invalid.AssertExit(2);
        Assert.Contains("--canary 2 is out of range", invalid.Err, StringComparison.Ordinal);
        Assert.Contains("(usage_error)", invalid.Err, StringComparison.Ordinal);
        Assert.Empty(invalid.Out);
        viewer.AssertExit(1);
        Assert.Contains("revision_conflict", stale.AssertExit(1).Err, StringComparison.Ordinal);

        Assert.StartsWith("Sampling is back to the configured defaults." + Environment.NewLine, reset.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.Contains("  sampling:         defaults" + Environment.NewLine, reset.Out, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(afterReset.AssertExit(0).Out))
        {
            Assert.True(!json.RootElement.TryGetProperty("sampling", out var sampling) || sampling.ValueKind == JsonValueKind.Null);
            Assert.Equal(revision + 1, json.RootElement.GetProperty("revision").GetInt64());
        }

        Assert.Contains("(no_release)", unreleased.AssertExit(1).Err, StringComparison.Ordinal);
    }

    /// <summary>One prompt request that a debug key forces into the samples; returns the reply text.</summary>
    private async Task<string> ForcedSampleAsync(string key, string prompt)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$$"""{"model":"prompt:{{{prompt}}}","messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Gateway-Sample", "true");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static string[] SampleIds(CliRun run)
    {
        if (run.Exit != 0)
        {
            return [];
        }

        using var json = JsonDocument.Parse(run.Out);
        return [.. json.RootElement.GetProperty("samples").EnumerateArray().Select(sample => sample.GetProperty("id").GetString()!)];
    }

    private static string Yaml(string name, string instruction) => $$$"""
        name: {{{name}}}
        model: gpt-4o-mini
        messages:
          - role: system
            content: |
              You are {{ company }}'s assistant. {{{instruction}}}
        variables:
          - name: company
            required: true
        params:
          temperature: 0.2
        """;

    private Task<CliRun> RunAsync(string token, params string[] args) =>
        RunWithAsync(new Dictionary<string, string?> { ["GATEWAY_URL"] = env.Gateway.BaseUrl.ToString(), ["GATEWAY_ADMIN_TOKEN"] = token }, args);

    private static async Task<CliRun> RunWithAsync(Dictionary<string, string?> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await GatewayCtl.RunAsync(args, stdout, stderr, handler: null, environment);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    private sealed record CliRun(int Exit, string Out, string Err)
    {
        public CliRun AssertExit(int expected)
        {
            Assert.True(Exit == expected, $"exit {Exit}, expected {expected}\nstdout: {Out}\nstderr: {Err}");
            return this;
        }
    }
}
