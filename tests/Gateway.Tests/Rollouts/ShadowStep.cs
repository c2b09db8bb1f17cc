using System.Net;
using LlmGateway.Releases;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>Starts a rollout of v2 whose first step mirrors every stable request and never ends by itself.</summary>
internal static class ShadowStep
{
    public const string Plan = """
        {"steps":[{"shadow":true,"share":1,"min_duration":"24h"},{"weight":5}],"metrics":[{"metric":"error","threshold":0.1}]}
        """;

    /// <summary>A new prompt with two equal versions (v1 stable), its shadow step of v2 started; its name.</summary>
    public static async Task<string> StartOnNewPromptAsync(GatewayHost gateway, string prefix)
    {
        var name = Bundles.UniqueName(prefix);
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        await StartAsync(gateway, name);
        return name;
    }

    /// <summary>Starts it on <paramref name="name"/> and waits until the gateway's snapshot shows the 100% share.</summary>
    public static async Task StartAsync(GatewayHost gateway, string name)
    {
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        var snapshots = gateway.GetRequiredService<ReleaseSnapshotProvider>();
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(snapshots.Current.TryGet(name, PromptSetup.Environment, out var release) && release.Record.ShadowShare == 10_000),
            TimeSpan.FromSeconds(10)));
    }
}
