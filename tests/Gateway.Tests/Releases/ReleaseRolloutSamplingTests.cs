using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Releases;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Releases;

/// <summary>
/// A release's <c>rollout_sampling</c> belongs to a rollout's canary: its start sets it, its steps keep it, and every
/// change that leaves no canary clears it; a canary started by hand has none.
/// </summary>
public sealed class ReleaseRolloutSamplingTests(TestEnvironment env)
{
    private static readonly RolloutSampling Rates = new() { Stable = 0.5, Canary = 1 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ActivationActions.Promote)]
    [InlineData(ActivationActions.Abort)]
    [InlineData(ActivationActions.Rollback)]
    [InlineData(ActivationActions.ReleaseSet)]
    public async Task A_change_that_leaves_no_canary_clears_the_rollouts_rates(string action)
    {
        var (releases, name) = await ReleasedAsync();
        await ApplyAsync(releases, name, new ReleaseChange(ActivationActions.CanaryStart, 3, 1000, "rollout step 1/2 (10%)", null, null, RolloutSampling: Rates));
        // The rollout's next step: the canary already serves, and keeps its rates.
        var stepped = await ApplyAsync(releases, name, new ReleaseChange(ActivationActions.CanaryStart, 3, 5000, "rollout step 2/2 (50%)", null, null, CanaryMustServe: true));
        Assert.Equal(Rates, stepped.RolloutSampling);
        // A sampling edit keeps them too: the rollout still runs.
        var edited = await ApplyAsync(releases, name, new ReleaseChange(ActivationActions.SamplingSet, null, null, null, null, null, new ReleaseSampling { Stable = 0.02 }));
        Assert.Equal(Rates, edited.RolloutSampling);

        var after = await ApplyAsync(releases, name, new ReleaseChange(action, action == ActivationActions.ReleaseSet ? 1 : null, null, "ended", null, null));

        Assert.Null(after.Canary);
        Assert.Null(after.RolloutSampling);
        var (stored, _) = await releases.GetAsync(name, PromptSetup.Environment);
        Assert.Null(stored!.RolloutSampling);
        Assert.Equal(0.02, stored.Sampling!.Stable);
    }

    [Fact]
    public async Task A_canary_started_by_hand_has_no_rollout_rates()
    {
        var (releases, name) = await ReleasedAsync();

        var started = await ApplyAsync(releases, name, new ReleaseChange(ActivationActions.CanaryStart, 3, 1000, "by hand", null, null));

        Assert.Null(started.RolloutSampling);
    }

    /// <summary>v2 stable over v1 (so a rollback has somewhere to go), v3 to be the canary.</summary>
    private async Task<(ReleaseService Releases, string Name)> ReleasedAsync()
    {
        var name = Bundles.UniqueName("release-rollout-sampling");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2), PromptSetup.Bundle(name, 3)]);
        var releases = env.Gateway.GetRequiredService<ReleaseService>();
        await ApplyAsync(releases, name, new ReleaseChange(ActivationActions.ReleaseSet, 2, null, null, null, null));
        return (releases, name);
    }

    private static async Task<ReleaseRecord> ApplyAsync(ReleaseService releases, string name, ReleaseChange change)
    {
        var (changed, refusal) = await releases.ApplyAsync(name, PromptSetup.Environment, change, "olga", Ct);
        Assert.Null(refusal);
        return changed!;
    }
}
