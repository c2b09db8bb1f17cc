using LlmGateway.Contracts.Prompts;
using LlmGateway.Prompts;
using LlmGateway.Releases;
using LlmGateway.Rewriting;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rewriting;

/// <summary>
/// Prepared bundles are kept for every version used, releases and pins alike: bounded, so a gateway that lives through
/// many releases (or serves pins of many versions) does not keep every version it ever prepared. Against the real store.
/// </summary>
public sealed class PreparedBundleCacheTests(TestEnvironment env)
{
    [Fact]
    public async Task A_version_is_prepared_once_and_shared_while_it_stays()
    {
        var (cache, prompt) = await CacheWithVersionsAsync(capacity: 4, versions: 2);

        var (first, _) = await cache.GetAsync(prompt, 1);
        var (again, _) = await cache.GetAsync(prompt, 1);

        Assert.NotNull(first);
        Assert.Same(first, again);
    }

    [Fact]
    public async Task A_full_cache_starts_over_and_prepares_what_is_used_again()
    {
        var (cache, prompt) = await CacheWithVersionsAsync(capacity: 3, versions: 5);

        var (v1, _) = await cache.GetAsync(prompt, 1);
        for (var version = 2; version <= 5; version++)
        {
            var (bundle, problem) = await cache.GetAsync(prompt, version);
            Assert.True(bundle is not null, problem);
            Assert.Equal(version, bundle.Version);
            Assert.InRange(cache.Count, 1, 3);
        }

        var (v1Again, _) = await cache.GetAsync(prompt, 1);
        Assert.NotNull(v1Again);
        Assert.Equal(1, v1Again.Version);
        Assert.NotSame(v1, v1Again);
        Assert.InRange(cache.Count, 1, 3);
    }

    [Fact]
    public async Task A_version_that_does_not_exist_is_not_kept()
    {
        var (cache, prompt) = await CacheWithVersionsAsync(capacity: 3, versions: 1);

        var (bundle, problem) = await cache.GetAsync(prompt, 9);

        Assert.Null(bundle);
        Assert.Equal("version 9 does not exist", problem);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_release_change_keeps_the_bundles_the_release_serves_even_after_the_cache_started_over()
    {
        var gateway = env.Gateway;
        var name = Bundles.UniqueName("kept");
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)], canaryVersion: 2, canaryWeight: 1000);
        var snapshots = gateway.GetRequiredService<ReleaseSnapshotProvider>();
        Assert.True(snapshots.Current.TryGet(name, PromptSetup.Environment, out var before));
        var cache = gateway.GetRequiredService<PreparedBundleCache>();

        cache.StartOver();
        using (var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken))
        {
            (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "canary", """{"version":2,"weight":2000}""")).Expect(System.Net.HttpStatusCode.OK);
        }

        ActiveRelease? after = null;
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(snapshots.Current.TryGet(name, PromptSetup.Environment, out after) && after.Record.CanaryWeight == 2000),
            TimeSpan.FromSeconds(5)));

        // The same prepared bundles (and render memos) serve on, and the cache holds them again.
        Assert.Same(before.Stable, after!.Stable);
        Assert.Same(before.Canary, after.Canary);
        Assert.Same(before.Stable, (await cache.GetAsync(name, 1)).Bundle);
        Assert.Same(before.Canary, (await cache.GetAsync(name, 2)).Bundle);
    }

    [Fact]
    public void The_gateway_s_own_cache_is_bounded()
    {
        var cache = env.Gateway.GetRequiredService<PreparedBundleCache>();
        Assert.Equal(PreparedBundleCache.DefaultCapacity, cache.Capacity);
    }

    private async Task<(PreparedBundleCache Cache, string Prompt)> CacheWithVersionsAsync(int capacity, int versions)
    {
        var registry = env.Gateway.GetRequiredService<PromptRegistry>();
        var prompt = Bundles.UniqueName("prepared");
        for (var version = 1; version <= versions; version++)
        {
            var content = new PromptBundleContent
            {
                Name = prompt,
                Model = "gpt-4o-mini",
                Messages = [new PromptMessageTemplate("system", $"Version {version} for {{{{ company }}}}.")],
                Variables = [new PromptVariable("company", Required: true, Default: null, Description: null)],
            };
            var (pushed, created) = await registry.PushAsync(content, $"id-{prompt}-{version}", "test");
            Assert.True(created);
            Assert.Equal(version, pushed.Version);
        }

        return (new PreparedBundleCache(registry, env.Gateway.GetRequiredService<BundlePreparer>(), capacity), prompt);
    }
}
