using System.Net;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Releases;
using LlmGateway.Rollouts;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// A rollout start whose rollout write failed, and whose own withdrawal failed too (the store failing both), left its
/// canary serving users with nothing judging it. The controller service's sweep withdraws such a canary: one marked as a
/// rollout's (its rollout sampling), older than the grace, with no active rollout of it. Each test has its own gateway
/// and key prefix: a sweep acts on every release its store holds, and other classes leave such canaries on purpose.
/// </summary>
public sealed class OrphanedCanarySweepTests(TestEnvironment env) : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = "orphan-" + Guid.NewGuid().ToString("N")[..8];
        _gateway = await GatewayHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_rollout_canary_left_without_its_rollout_is_withdrawn_and_the_history_says_why()
    {
        var name = await ReleasedAsync();
        var started = await CanaryAsync(name, new RolloutSampling { Stable = 1, Canary = 1 }, _gateway.GetRequiredService<TimeProvider>().GetUtcNow() - TimeSpan.FromMinutes(10));
        await ServedAsync(name, started.Revision);

        Assert.Equal(1, await _gateway.GetRequiredService<OrphanedCanarySweep>().RunAsync(Ct));

        using var viewer = new AdminClient(_gateway, TestEnvironment.ViewerToken);
        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, release.GetProperty("canary").ValueKind);
        var last = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env={PromptSetup.Environment}")).Json.EnumerateArray().Last();
        Assert.Equal(("abort", RolloutController.Actor), (last.GetProperty("action").GetString(), last.GetProperty("actor").GetString()));
        Assert.Contains("no rollout judging it", last.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hand_started_canary_and_one_within_the_grace_are_left_alone()
    {
        var now = _gateway.GetRequiredService<TimeProvider>().GetUtcNow();
        var byHand = await ReleasedAsync();
        var handStarted = await CanaryAsync(byHand, null, now - TimeSpan.FromMinutes(10));
        var fresh = await ReleasedAsync();
        var freshStarted = await CanaryAsync(fresh, new RolloutSampling { Stable = 1, Canary = 1 }, now);
        await ServedAsync(byHand, handStarted.Revision);
        await ServedAsync(fresh, freshStarted.Revision);

        await _gateway.GetRequiredService<OrphanedCanarySweep>().RunAsync(Ct);

        var releases = _gateway.GetRequiredService<ReleaseService>();
        Assert.Equal(2, (await releases.GetAsync(byHand, PromptSetup.Environment)).Release!.Canary);
        Assert.Equal(2, (await releases.GetAsync(fresh, PromptSetup.Environment)).Release!.Canary);
    }

    [Fact]
    public async Task A_canary_its_rollout_judges_is_left_alone()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(_gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}",
            """{"version":2,"plan":{"steps":[{"weight":10,"min_duration":"1h"}],"metrics":[{"metric":"error","threshold":0.1}]}}""")).Expect(HttpStatusCode.Created);
        var releases = _gateway.GetRequiredService<ReleaseService>();
        var release = (await releases.GetAsync(name, PromptSetup.Environment)).Release!;
        Assert.NotNull(release.RolloutSampling);
        await ServedAsync(name, release.Revision);
        // As if the start were long ago: the sweep looks at the record, and the rollout is there.
        var sweep = new OrphanedCanarySweep(
            _gateway.GetRequiredService<ReleaseSnapshotProvider>(), _gateway.GetRequiredService<RolloutStore>(), releases,
            Later(TimeSpan.FromHours(2)), Microsoft.Extensions.Logging.Abstractions.NullLogger<OrphanedCanarySweep>.Instance);

        await sweep.RunAsync(Ct);

        Assert.Equal(2, (await releases.GetAsync(name, PromptSetup.Environment)).Release!.Canary);
    }

    private static ShiftedTimeProvider Later(TimeSpan by)
    {
        var clock = new ShiftedTimeProvider();
        clock.Advance(by);
        return clock;
    }

    private async Task<string> ReleasedAsync()
    {
        var name = "orphan-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(_gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        return name;
    }

    /// <summary>A canary of v2 at 10% written as a start writes it (its time and, for a rollout's, its sampling), with no rollout.</summary>
    private async Task<ReleaseRecord> CanaryAsync(string name, RolloutSampling? sampling, DateTimeOffset at)
    {
        var (release, refusal) = await _gateway.GetRequiredService<ReleaseService>().ApplyAsync(name, PromptSetup.Environment,
            new ReleaseChange(ActivationActions.CanaryStart, 2, 1000, "test start", null, null, At: at, RolloutSampling: sampling), "olga", Ct);
        Assert.Null(refusal);
        return release!;
    }

    /// <summary>Until the instance's snapshot serves the release at this revision (the sweep reads the snapshot).</summary>
    private async Task ServedAsync(string name, long revision) =>
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(_gateway.GetRequiredService<ReleaseSnapshotProvider>().Current.TryGet(name, PromptSetup.Environment, out var served) && served.Record.Revision == revision),
            TimeSpan.FromSeconds(5)));
}
