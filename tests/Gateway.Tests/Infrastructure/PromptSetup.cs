using System.Net;
using LlmGateway.Auth;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>Creates released prompts and environment-bound gateway keys for hot-path tests.</summary>
public static class PromptSetup
{
    public const string Environment = "staging";

    /// <summary>Pushes each bundle JSON as the next version and releases v1 to staging (plus an optional canary).</summary>
    public static async Task ReleaseAsync(GatewayHost gateway, string name, IReadOnlyList<string> versions, int? canaryVersion = null, int canaryWeight = 0)
    {
        using var author = new AdminClient(gateway, TestEnvironment.AuthorToken);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        foreach (var json in versions)
        {
            (await author.PushAsync(json)).Expect(HttpStatusCode.Created);
        }

        (await operatorClient.ReleaseAsync(name, Environment, "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        if (canaryVersion is { } canary)
        {
            (await operatorClient.ReleaseAsync(name, Environment, "canary", $$"""{"version":{{canary}},"weight":{{canaryWeight}}}""")).Expect(HttpStatusCode.OK);
        }

        // Published changes reach the instance within ~100 ms; wait until it serves the final
        // state (stable and canary both), not an intermediate one, rather than sleep.
        Assert.True(await Eventually.TrueAsync(
            async () => (await operatorClient.GetAsync("/admin/v1/instance/releases")).Json.GetProperty("releases").EnumerateArray().Any(r =>
                r.GetProperty("prompt").GetString() == name
                && r.GetProperty("environment").GetString() == Environment
                && r.GetProperty("stable").GetInt32() == 1
                && (canaryVersion is null ? r.GetProperty("canary").ValueKind == System.Text.Json.JsonValueKind.Null : r.GetProperty("canary").ValueKind == System.Text.Json.JsonValueKind.Number && r.GetProperty("canary").GetInt32() == canaryVersion)),
            TimeSpan.FromSeconds(2)));
    }

    public static async Task<string> KeyAsync(GatewayHost gateway, params string[] permissions)
    {
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("prompt-tests", Environment, permissions);
        return secret;
    }

    /// <summary>A bundle whose system message shows the version, so the mock's echo tells which one served.</summary>
    public static string Bundle(string name, int version, string extra = "") => $$$"""
        {"name":"{{{name}}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"v{{{version}}} for {{ company }}"}],
         "variables":[{"name":"company","required":true}],
         "params":{"temperature":0.25}{{{extra}}}}
        """;
}
