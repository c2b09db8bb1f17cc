using LlmGateway.Behaviour;
using LlmGateway.Releases;
using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// The change detector's index of series lost nothing but never shrank: every prompt that ever had a sample was read,
/// a whole window of minute buckets each, every look, for good. A series idle for a whole window leaves it; a new
/// sample brings it back. Against a real store, under a prefix of its own (a look prunes the whole index).
/// </summary>
public sealed class BehaviourIndexPruningTests(TestEnvironment env)
{
    private const string Environment = "production";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_series_idle_for_a_whole_detection_window_leaves_the_index_and_a_new_sample_brings_it_back()
    {
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-prune-" + Guid.NewGuid().ToString("N")[..8];
        settings["Gateway:OnlineEval:DetectChanges"] = "false";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var store = gateway.GetRequiredService<GatewayStore>();
        var start = DateTimeOffset.UtcNow;
        var clock = new ManualTimeProvider(start);
        var behaviour = new BehaviourStore(store, Options.Create(new SamplingOptions()), clock);
        var options = new OnlineEvalOptions();
        var window = TimeSpan.FromMinutes(options.DetectionWindowMinutes);

        await behaviour.CountAsync([Sample("idle", "a", clock), Sample("busy", "b", clock)]);
        Assert.Equal(["busy", "idle"], await PromptsAsync(behaviour));

        // Within the window: nothing leaves, however long the look.
        clock.Advance(window - TimeSpan.FromMinutes(1));
        Assert.Empty(await DetectorAt(behaviour, store, clock.GetUtcNow(), options).DetectAsync(Ct));
        Assert.Equal(["busy", "idle"], await PromptsAsync(behaviour));

        // "busy" is counted into again; "idle" is not, and a window (plus the settling time and a minute) later it goes.
        await behaviour.CountAsync([Sample("busy", "c", clock)]);
        clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(options.DetectionSettleSeconds));
        await DetectorAt(behaviour, store, clock.GetUtcNow(), options).DetectAsync(Ct);
        Assert.Equal(["busy"], await PromptsAsync(behaviour));
        Assert.False(await store.Database.HashExistsAsync(store.Keys.BehaviourSeen, Prompt("idle") + "|" + Environment));

        // A sample of the pruned series lists it again, with its seen time.
        await behaviour.CountAsync([Sample("idle", "d", clock)]);
        Assert.Equal(["busy", "idle"], await PromptsAsync(behaviour));
    }

    [Fact]
    public async Task A_series_listed_before_seen_times_were_kept_starts_its_clock_at_the_first_look()
    {
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-prune-" + Guid.NewGuid().ToString("N")[..8];
        settings["Gateway:OnlineEval:DetectChanges"] = "false";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var store = gateway.GetRequiredService<GatewayStore>();
        var behaviour = gateway.GetRequiredService<BehaviourStore>();
        var options = new OnlineEvalOptions();
        await store.Database.SetAddAsync(store.Keys.BehaviourIndex, "legacy|" + Environment);
        var first = DateTimeOffset.UtcNow;

        // No seen time: not pruned at once (it may be live), but a window after the first look it is.
        await DetectorAt(behaviour, store, first, options).DetectAsync(Ct);
        Assert.Equal(["legacy"], (await behaviour.ListSeriesAsync()).Select(s => s.Prompt));
        await DetectorAt(behaviour, store, first.AddMinutes(options.DetectionWindowMinutes), options).DetectAsync(Ct);
        Assert.Equal(["legacy"], (await behaviour.ListSeriesAsync()).Select(s => s.Prompt));
        await DetectorAt(behaviour, store, first.AddMinutes(options.DetectionWindowMinutes + 2).AddSeconds(options.DetectionSettleSeconds), options).DetectAsync(Ct);
        Assert.Empty(await behaviour.ListSeriesAsync());
    }

    private static string Prompt(string name) => "prune-" + name;

    private static ScoredSample Sample(string prompt, string id, TimeProvider clock) => new(
        id, Prompt(prompt), Environment, 1, "stable", clock.GetUtcNow().ToUnixTimeSeconds() / 60,
        [MetricObservation.Measure("latency_ms", 100)]);

    private static async Task<string[]> PromptsAsync(BehaviourStore behaviour) =>
        [.. (await behaviour.ListSeriesAsync()).Select(s => s.Prompt["prune-".Length..]).Order(StringComparer.Ordinal)];

    private static BehaviourChangeDetector DetectorAt(BehaviourStore behaviour, GatewayStore store, DateTimeOffset now, OnlineEvalOptions options) => new(
        behaviour,
        new ScoredThrough(null!, Options.Create(new OnlineEvalOptions { WaitForEvaluator = false })),
        new BehaviourChangeStore(store),
        new ActivationHistory(store, TimeProvider.System),
        Options.Create(options),
        new ManualTimeProvider(now),
        NullLogger<BehaviourChangeDetector>.Instance);
}
