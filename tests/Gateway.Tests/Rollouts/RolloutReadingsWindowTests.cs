using LlmGateway.Behaviour;
using LlmGateway.Rollouts;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// A long step's window is read from the hour buckets for its whole hours and the minute buckets either side: the
/// readings must be exactly the window's samples, no sample of the minutes before it or after it.
/// </summary>
public sealed class RolloutReadingsWindowTests(TestEnvironment env)
{
    private const string Environment = "production";

    // An epoch minute on an hour boundary.
    private const long Hour = 29_000_040;

    [Fact]
    public async Task A_window_over_several_hours_reads_exactly_its_samples_from_hour_and_minute_buckets()
    {
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var readings = env.Gateway.GetRequiredService<RolloutReadings>();
        var prompt = Bundles.UniqueName("window");
        // The step began at +17 min and the look's settled instant is +186 (minute +185 has just ended): the window is
        // [+17, +186).
        long[] inside = [17, 59, 60, 119, 150, 180, 185];
        long[] outside = [5, 16, 186, 200];
        var samples = new List<ScoredSample>();
        foreach (var offset in inside.Concat(outside))
        {
            samples.Add(new ScoredSample($"s{offset}", prompt, Environment, 1, "stable", Hour + offset, [MetricObservation.Measure("latency_ms", offset)]));
            samples.Add(new ScoredSample($"c{offset}", prompt, Environment, 2, "canary", Hour + offset, [MetricObservation.Measure("latency_ms", 1000 + offset)]));
        }

        Assert.Equal(samples.Count, (await behaviour.CountAsync(samples)).Count);

        var read = await readings.ReadAsync(prompt, Environment, baseline: 1, candidate: 2, ["latency_ms"],
            DateTimeOffset.FromUnixTimeSeconds((Hour + 17) * 60), DateTimeOffset.FromUnixTimeSeconds((Hour + 186) * 60));

        var (stable, canary) = read["latency_ms"];
        Assert.Equal(inside.Length, stable.Count);
        Assert.Equal(inside.Sum(), stable.Sum);
        Assert.Equal(inside.Sum(o => (double)o * o), stable.SumOfSquares);
        Assert.Equal(inside.Length, canary.Count);
        Assert.Equal(inside.Sum(o => 1000.0 + o), canary.Sum);
    }

    [Fact]
    public async Task A_windows_distinct_units_are_counted_per_arm_from_hour_and_minute_counters_each_unit_once()
    {
        // Every request of one unit (session, user, else gateway key) lands on one arm: 14 samples from 4 users are 4
        // draws, not 14. The counters go with the series, per minute and per hour, and a window is their union.
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var readings = env.Gateway.GetRequiredService<RolloutReadings>();
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var prompt = Bundles.UniqueName("unit-window");
        long[] inside = [17, 59, 60, 119, 150, 180, 185];
        long[] outside = [5, 16, 186, 200];
        var samples = new List<ScoredSample>();
        foreach (var offset in inside)
        {
            // Four stable users, each in the head minutes, the whole hours or the tail minutes, some in several;
            // every canary sample its own user, twice each (a redelivery adds nothing).
            samples.Add(new ScoredSample($"s{offset}", prompt, Environment, 1, "stable", Hour + offset, [MetricObservation.Measure("latency_ms", 1)], Unit: $"user{offset % 4}"));
            samples.Add(new ScoredSample($"c{offset}", prompt, Environment, 2, "canary", Hour + offset, [MetricObservation.Measure("latency_ms", 1)], Unit: $"canary{offset}"));
            samples.Add(new ScoredSample($"d{offset}", prompt, Environment, 2, "canary", Hour + offset, [MetricObservation.Measure("latency_ms", 1)], Unit: $"canary{offset}"));
        }

        foreach (var offset in outside)
        {
            samples.Add(new ScoredSample($"s{offset}", prompt, Environment, 1, "stable", Hour + offset, [MetricObservation.Measure("latency_ms", 1)], Unit: $"before-or-after{offset}"));
            samples.Add(new ScoredSample($"c{offset}", prompt, Environment, 2, "canary", Hour + offset, [MetricObservation.Measure("latency_ms", 1)], Unit: $"before-or-after{offset}"));
        }

        // Another version's arm and an unknown unit count nowhere.
        samples.Add(new ScoredSample("x", prompt, Environment, 3, "canary", Hour + 100, [MetricObservation.Measure("latency_ms", 1)], Unit: "elsewhere"));
        samples.Add(new ScoredSample("y", prompt, Environment, 1, "stable", Hour + 100, [MetricObservation.Measure("latency_ms", 1)]));
        Assert.Equal(samples.Count, (await behaviour.CountAsync(samples)).Count);
        Assert.Empty(await behaviour.CountAsync(samples));

        var window = (From: DateTimeOffset.FromUnixTimeSeconds((Hour + 17) * 60), Through: DateTimeOffset.FromUnixTimeSeconds((Hour + 186) * 60));
        Assert.Equal((4L, 7L), await readings.ReadUnitsAsync(prompt, Environment, baseline: 1, candidate: 2, window.From, window.Through));

        // The whole hours are read from the hour counters (kept 90 days, as the hour sums), the edges from the minutes (2 days).
        var hourKey = store.Keys.BehaviourUnitsHour(prompt, Environment, 1, "stable", Hour + 60);
        var minuteKey = store.Keys.BehaviourUnitsMinute(prompt, Environment, 1, "stable", Hour + 60);
        Assert.InRange((await store.Database.KeyTimeToLiveAsync(hourKey))!.Value, BehaviourStore.HourRetention - TimeSpan.FromMinutes(5), BehaviourStore.HourRetention);
        Assert.InRange((await store.Database.KeyTimeToLiveAsync(minuteKey))!.Value, BehaviourStore.MinuteRetention - TimeSpan.FromMinutes(5), BehaviourStore.MinuteRetention);
        for (var offset = 60; offset < 180; offset++)
        {
            await store.Database.KeyDeleteAsync(store.Keys.BehaviourUnitsMinute(prompt, Environment, 1, "stable", Hour + offset));
            await store.Database.KeyDeleteAsync(store.Keys.BehaviourUnitsMinute(prompt, Environment, 2, "canary", Hour + offset));
        }

        Assert.Equal((4L, 7L), await readings.ReadUnitsAsync(prompt, Environment, baseline: 1, candidate: 2, window.From, window.Through));
        // A window of the tail minutes only: users 0 (minute 180) and 1 (minute 185).
        Assert.Equal((2L, 2L), await readings.ReadUnitsAsync(prompt, Environment, baseline: 1, candidate: 2,
            DateTimeOffset.FromUnixTimeSeconds((Hour + 170) * 60), window.Through));
    }

    [Fact]
    public async Task A_shadow_steps_pairs_of_whole_hours_are_read_from_hour_buckets_that_outlive_the_minute_ones()
    {
        // The pairs were kept per minute only (two days), read one minute hash per minute of the window: after a long
        // pause a look read thousands of them, and a resumed step found the pairs of the expired minutes gone.
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var readings = env.Gateway.GetRequiredService<RolloutReadings>();
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var prompt = Bundles.UniqueName("pair-window");
        long[] inside = [17, 59, 60, 119, 150, 180, 185];
        long[] outside = [5, 16, 186, 200];
        var samples = inside.Concat(outside)
            .Select(offset => new ScoredSample($"p{offset}", prompt, Environment, 2, "shadow", Hour + offset, [], [new PairedObservation("latency_ms", offset, 1000 + offset)]))
            .ToList();
        Assert.Equal(samples.Count, (await behaviour.CountAsync(samples)).Count);

        // The whole hours' minute buckets expire after two days (as if the step had been paused that long).
        for (var offset = 60; offset < 180; offset++)
        {
            await store.Database.KeyDeleteAsync(store.Keys.BehaviourPairsMinute(prompt, Environment, Hour + offset));
        }

        var read = await readings.ReadPairedAsync(prompt, Environment, candidate: 2, ["latency_ms"],
            DateTimeOffset.FromUnixTimeSeconds((Hour + 17) * 60), DateTimeOffset.FromUnixTimeSeconds((Hour + 186) * 60));

        var pairs = read["latency_ms"];
        Assert.Equal(inside.Length, pairs.Differences.Count);
        Assert.Equal(inside.Length * 1000.0, pairs.Differences.Sum);
        Assert.Equal(inside.Sum(o => (double)o), pairs.Stable.Sum);
        Assert.Equal(inside.Sum(o => (double)o * o), pairs.Stable.SumOfSquares);
        Assert.Equal(inside.Sum(o => 1000.0 + o), pairs.Canary.Sum);
    }

    [Fact]
    public async Task A_windows_latency_histograms_are_read_per_arm_and_per_answer_from_hour_and_minute_buckets()
    {
        // The bucket counts go into minute and hour hashes of their own, beside the sums': a long step's whole hours are
        // read from the hour hashes, so deleting their minute hashes must change nothing.
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var readings = env.Gateway.GetRequiredService<RolloutReadings>();
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var prompt = Bundles.UniqueName("quantile-window");
        long[] inside = [17, 59, 60, 119, 150, 180, 185];
        long[] outside = [5, 16, 186, 200];
        var samples = new List<ScoredSample>();
        foreach (var offset in inside.Concat(outside))
        {
            samples.Add(new ScoredSample($"s{offset}", prompt, Environment, 1, "stable", Hour + offset,
                [MetricObservation.Measure("latency_ms", offset), MetricObservation.Measure("ttft_ms", offset / 2.0), MetricObservation.Measure("cost_usd", 0.5)], Unit: $"s{offset}"));
            samples.Add(new ScoredSample($"c{offset}", prompt, Environment, 2, "canary", Hour + offset, [MetricObservation.Measure("latency_ms", 1000 + offset)], Unit: $"c{offset}"));
            samples.Add(new ScoredSample($"x{offset}", prompt, Environment, 3, "canary", Hour + offset, [MetricObservation.Measure("latency_ms", 7)], Unit: $"x{offset}"));
            // Served while no canary did (no unit): in the sums, never in a histogram, which only a rollout reads.
            samples.Add(new ScoredSample($"n{offset}", prompt, Environment, 1, "stable", Hour + offset, [MetricObservation.Measure("latency_ms", 99_999)]));
            samples.Add(new ScoredSample($"p{offset}", prompt, Environment, 2, "shadow", Hour + offset, [], [new PairedObservation("latency_ms", offset, 2000 + offset)]));
        }

        Assert.Equal(samples.Count, (await behaviour.CountAsync(samples)).Count);
        for (var offset = 60; offset < 180; offset++)
        {
            await store.Database.KeyDeleteAsync(store.Keys.BehaviourMinute(prompt, Environment, Hour + offset));
            await store.Database.KeyDeleteAsync(store.Keys.BehaviourQuantilesMinute(prompt, Environment, Hour + offset));
            await store.Database.KeyDeleteAsync(store.Keys.BehaviourPairsMinute(prompt, Environment, Hour + offset));
        }

        // Apart from the sums (the change detector reads those hashes whole every minute): no bucket field among them.
        Assert.DoesNotContain(await store.Database.HashKeysAsync(store.Keys.BehaviourMinute(prompt, Environment, Hour + 17)), f => ((string)f!).Contains("|h|", StringComparison.Ordinal));
        Assert.NotEmpty(await store.Database.HashKeysAsync(store.Keys.BehaviourQuantilesMinute(prompt, Environment, Hour + 17)));

        var from = DateTimeOffset.FromUnixTimeSeconds((Hour + 17) * 60);
        var through = DateTimeOffset.FromUnixTimeSeconds((Hour + 186) * 60);
        var window = await readings.ReadWindowAsync(prompt, Environment, baseline: 1, candidate: 2, ["latency_ms"], ["latency_ms", "ttft_ms", "cost_usd"], from, through);

        Assert.Equal(Buckets(inside.Select(o => (double)o)), window.Quantiles["latency_ms"].Stable.Buckets());
        Assert.Equal(Buckets(inside.Select(o => 1000.0 + o)), window.Quantiles["latency_ms"].Canary.Buckets());
        Assert.Equal(Buckets(inside.Select(o => o / 2.0)), window.Quantiles["ttft_ms"].Stable.Buckets());
        Assert.Equal(0, window.Quantiles["ttft_ms"].Canary.Count);
        // Only the series that keep histograms have them; the sums are read as before.
        Assert.Equal(0, window.Quantiles["cost_usd"].Stable.Count);
        Assert.Equal(2 * inside.Length, window.Moments["latency_ms"].Stable.Count);

        var pairs = await readings.ReadPairedWindowAsync(prompt, Environment, candidate: 2, ["latency_ms"], ["latency_ms"], from, through);
        Assert.Equal(Buckets(inside.Select(o => (double)o)), pairs.Quantiles["latency_ms"].Stable.Buckets());
        Assert.Equal(Buckets(inside.Select(o => 2000.0 + o)), pairs.Quantiles["latency_ms"].Canary.Buckets());
        Assert.Equal(inside.Length, pairs.Moments["latency_ms"].Differences.Count);
    }

    private static IEnumerable<KeyValuePair<int, long>> Buckets(IEnumerable<double> values) =>
        LlmGateway.Eval.Statistics.Rollouts.QuantileHistogram.Of(values).Buckets();
}
