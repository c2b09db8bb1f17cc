using LlmGateway.Behaviour;
using LlmGateway.Contracts.Releases;
using LlmGateway.Releases;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// A change is tied to the activation nearest its minute, which is an estimate: the one just after it when that is
/// closer than the last one before, within the margin. Series written straight into a real store, read by the detector.
/// </summary>
public sealed class ChangeAttributionTests(TestEnvironment env)
{
    private const string Environment = "production";

    // Ten minutes at a 0% refusal rate, then ten at 30%, 100 samples a minute: the scan puts the boundary at minute 10.
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static DateTimeOffset Boundary => Start.AddMinutes(10);

    [Fact]
    public async Task An_activation_just_after_the_estimated_minute_is_named_over_an_older_one_before_it()
    {
        var name = await SeriesWithAStepAsync();
        await RecordAsync(name, "evt_old", "release-set", Start.AddMinutes(2));
        await RecordAsync(name, "evt_canary", "canary-start", Boundary.AddMinutes(1).AddSeconds(30));

        var change = Assert.Single(await DetectorWith(marginMinutes: 2).DetectAsync(name, Environment));

        Assert.Equal(Boundary, change.WindowStart);
        var activation = Assert.IsType<LlmGateway.Contracts.Behaviour.NearestActivation>(change.NearestActivation);
        Assert.Equal("evt_canary", activation.Id);
        Assert.Equal(0, activation.SecondsBefore);
        Assert.Equal(30, activation.SecondsAfter, 3);
    }

    [Fact]
    public async Task Without_a_margin_or_past_it_the_last_activation_before_is_named()
    {
        var withoutMargin = await SeriesWithAStepAsync();
        await RecordAsync(withoutMargin, "evt_old", "release-set", Start.AddMinutes(2));
        await RecordAsync(withoutMargin, "evt_canary", "canary-start", Boundary.AddMinutes(1).AddSeconds(30));
        var pastMargin = await SeriesWithAStepAsync();
        await RecordAsync(pastMargin, "evt_old", "release-set", Start.AddMinutes(2));
        await RecordAsync(pastMargin, "evt_late", "canary-weight", Boundary.AddMinutes(1 + 2).AddSeconds(1));

        var first = Assert.Single(await DetectorWith(marginMinutes: 0).DetectAsync(withoutMargin, Environment));
        var second = Assert.Single(await DetectorWith(marginMinutes: 2).DetectAsync(pastMargin, Environment));

        Assert.Equal("evt_old", first.NearestActivation?.Id);
        Assert.Equal(480, first.NearestActivation!.SecondsBefore, 3);
        Assert.Equal(0, first.NearestActivation.SecondsAfter);
        Assert.Equal("evt_old", second.NearestActivation?.Id);
    }

    [Fact]
    public async Task An_activation_inside_the_window_wins_over_a_later_one_and_none_at_all_is_null()
    {
        var inside = await SeriesWithAStepAsync();
        await RecordAsync(inside, "evt_inside", "canary-start", Boundary.AddSeconds(20));
        await RecordAsync(inside, "evt_after", "canary-weight", Boundary.AddMinutes(1).AddSeconds(5));
        var none = await SeriesWithAStepAsync();

        var first = Assert.Single(await DetectorWith(marginMinutes: 2).DetectAsync(inside, Environment));
        var second = Assert.Single(await DetectorWith(marginMinutes: 2).DetectAsync(none, Environment));

        Assert.Equal("evt_inside", first.NearestActivation?.Id);
        Assert.Equal(0, first.NearestActivation!.SecondsBefore);
        Assert.Equal(0, first.NearestActivation.SecondsAfter);
        Assert.Null(second.NearestActivation);
    }

    [Fact]
    public async Task The_first_event_after_a_time_is_read_by_its_own_time_and_the_starting_millisecond_is_left_out()
    {
        var name = Bundles.UniqueName("first-after");
        var millisecond = Start.AddMinutes(5);
        await RecordAsync(name, "evt_at_start", "release-set", millisecond);
        // Ids chosen so that member order ("evt_a…" first) is the reverse of time order within one millisecond.
        await RecordAsync(name, "evt_b", "canary-start", millisecond.AddMilliseconds(7).AddTicks(1_000));
        await RecordAsync(name, "evt_a", "canary-weight", millisecond.AddMilliseconds(7).AddTicks(5_000));
        await RecordAsync(name, "evt_later", "promote", millisecond.AddMinutes(1));
        var history = env.Gateway.GetRequiredService<ActivationHistory>();

        Assert.Equal("evt_b", (await history.FirstAfterAsync(name, Environment, millisecond, millisecond.AddMinutes(2)))?.Id);
        Assert.Null(await history.FirstAfterAsync(name, Environment, millisecond, millisecond.AddMilliseconds(6)));
        Assert.Equal("evt_later", (await history.FirstAfterAsync(name, Environment, millisecond.AddMilliseconds(8), millisecond.AddMinutes(1)))?.Id);
    }

    [Fact]
    public async Task The_minute_just_ended_is_not_read_until_its_late_samples_have_had_time_to_arrive()
    {
        // Twenty steady minutes, then one that ended ten seconds ago and has only its fast failures so far.
        var name = Bundles.UniqueName("settling");
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var first = Start.ToUnixTimeSeconds() / 60;
        for (var minute = first; minute <= first + 20; minute++)
        {
            await store.Database.HashSetAsync(store.Keys.BehaviourMinute(name, Environment, minute),
            [
                new HashEntry(new SeriesField(1, "stable", "refusal", SeriesField.Count).ToString(), minute == first + 20 ? 40 : 100),
                new HashEntry(new SeriesField(1, "stable", "refusal", SeriesField.Sum).ToString(), minute == first + 20 ? 40 : 0),
            ]);
        }

        await store.Database.HashSetAsync(store.Keys.BehaviourMetrics(name, Environment), "refusal", BehaviourStore.KindName(MetricKind.Rate));
        var justEnded = Start.AddMinutes(21).AddSeconds(10);

        Assert.Empty(await DetectorWith(marginMinutes: 2, now: justEnded).DetectAsync(name, Environment));
        Assert.Single(await DetectorWith(marginMinutes: 2, now: justEnded, settleSeconds: 0).DetectAsync(name, Environment));
    }

    private BehaviourChangeDetector DetectorWith(int marginMinutes, DateTimeOffset? now = null, int settleSeconds = 60) => new(
        env.Gateway.GetRequiredService<BehaviourStore>(),
        env.Gateway.GetRequiredService<ScoredThrough>(),
        env.Gateway.GetRequiredService<BehaviourChangeStore>(),
        env.Gateway.GetRequiredService<ActivationHistory>(),
        Options.Create(new OnlineEvalOptions { AttributionMarginMinutes = marginMinutes, DetectionSettleSeconds = settleSeconds }),
        new ManualTimeProvider(now ?? Start.AddMinutes(20).AddSeconds(10)),
        NullLogger<BehaviourChangeDetector>.Instance);

    private async Task<string> SeriesWithAStepAsync()
    {
        var name = Bundles.UniqueName("attribution");
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var first = Start.ToUnixTimeSeconds() / 60;
        for (var minute = first; minute < first + 20; minute++)
        {
            var refusals = minute < first + 10 ? 0 : 30;
            await store.Database.HashSetAsync(store.Keys.BehaviourMinute(name, Environment, minute),
            [
                new HashEntry(new SeriesField(1, "stable", "refusal", SeriesField.Count).ToString(), 100),
                new HashEntry(new SeriesField(1, "stable", "refusal", SeriesField.Sum).ToString(), refusals),
            ]);
        }

        await store.Database.HashSetAsync(store.Keys.BehaviourMetrics(name, Environment), "refusal", BehaviourStore.KindName(MetricKind.Rate));
        return name;
    }

    private async Task RecordAsync(string name, string id, string action, DateTimeOffset at)
    {
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var activation = new ActivationEvent { Id = id, At = at, Prompt = name, Environment = Environment, Action = action, Actor = "test" };
        await store.Database.SortedSetAddAsync(
            store.Keys.EnvironmentHistory(name, Environment),
            System.Text.Json.JsonSerializer.Serialize(activation, LlmGateway.Serialization.GatewayJsonContext.Default.ActivationEvent),
            at.ToUnixTimeMilliseconds());
    }
}
