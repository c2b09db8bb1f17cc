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
}
