using LlmGateway.EvalRuns;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.EvalRuns;

/// <summary>
/// "Newest first" is the order runs were stored in: the release gate reads a version's newest run, and two runs stored
/// in the same millisecond (a CI job posting both arms at once) must not come back in the order of their ids. Every view
/// (a prompt's <c>latest_eval</c>, the list of all its runs) reads the same order as the gate.
/// </summary>
public sealed class EvalRunStoreOrderTests(TestEnvironment env)
{
    [Fact]
    public async Task Runs_stored_in_the_same_millisecond_are_listed_newest_first_in_the_order_stored()
    {
        var runs = env.Gateway.GetRequiredService<EvalRunStore>();
        var prompt = Bundles.UniqueName("order");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        // Ids whose own order is the opposite of the order they are stored in; the last one "earlier" by the clock.
        string[] stored = ["evr_zz", "evr_mm", "evr_aa"];
        foreach (var id in stored)
        {
            Assert.True(await runs.AddAsync(Run(prompt, id, at)));
        }

        Assert.True(await runs.AddAsync(Run(prompt, "evr_late", at.AddMilliseconds(-5))));

        var listed = await runs.ListAsync(prompt, version: 1, limit: 10);

        Assert.Equal(["evr_late", "evr_aa", "evr_mm", "evr_zz"], listed.Select(r => r.Id));
    }

    [Fact]
    public async Task Every_view_names_the_run_the_gate_reads_as_newest_whatever_the_clocks_say()
    {
        var runs = env.Gateway.GetRequiredService<EvalRunStore>();
        var prompt = Bundles.UniqueName("order");
        // Two instances whose clocks are 2 s apart: the second POST lands on the one behind.
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        Assert.True(await runs.AddAsync(Run(prompt, "evr_first_pass", clock.GetUtcNow())));
        clock.Advance(TimeSpan.FromSeconds(-2));
        Assert.True(await runs.AddAsync(Run(prompt, "evr_then_fail", clock.GetUtcNow()) with { Verdict = EvalRunVerdicts.Fail }));

        var gate = await runs.ListAsync(prompt, version: 1, limit: 10);
        var all = await runs.ListAsync(prompt, version: null, limit: 10);
        var latest = await runs.LatestByVersionAsync(prompt);

        Assert.Equal("evr_then_fail", gate[0].Id);
        Assert.Equal(gate.Select(r => r.Id), all.Select(r => r.Id));
        Assert.Equal(gate[0].Id, latest[1].Id);
        Assert.Equal(EvalRunVerdicts.Fail, latest[1].Verdict);

        // The same through the bounded reads a pushed prompt gets (its version count walks the versions' indexes).
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        await store.Database.StringSetAsync(store.Keys.PromptSequence(prompt), 1);
        Assert.Equal(gate.Select(r => r.Id), (await runs.ListAsync(prompt, version: null, limit: 10)).Select(r => r.Id));
        Assert.Equal(["evr_then_fail"], (await runs.ListAsync(prompt, version: null, limit: 1)).Select(r => r.Id));
        Assert.Equal("evr_then_fail", (await runs.LatestByVersionAsync(prompt))[1].Id);
    }

    private static EvalRun Run(string prompt, string id, DateTimeOffset at) => new()
    {
        Id = id,
        Prompt = prompt,
        Candidate = new EvalRunTarget { Version = 1, BundleId = new string('a', 64) },
        Verdict = EvalRunVerdicts.Pass,
        CreatedAt = at,
    };
}
