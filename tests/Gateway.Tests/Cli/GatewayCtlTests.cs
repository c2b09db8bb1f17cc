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
