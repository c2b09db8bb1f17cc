using LlmGateway.Behaviour;
using LlmGateway.Rollouts;
using LlmGateway.Sampling;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// Behind an evaluator backlog (a slow judge holding a batch), a minute past its settle time holds only the requests
/// scored so far, its fast ones first: the readers read no minute at or after the oldest sample still waiting to be
/// scored. On a gateway and key prefix of its own: the shared store's queue holds every other test's samples.
/// </summary>
public sealed class ScoredThroughTests(TestEnvironment env) : IAsyncLifetime
{
    private const string Environment = "production";

    // An epoch minute on an hour boundary.
    private const long Hour = 29_000_100;

    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = "scored-" + Guid.NewGuid().ToString("N")[..8];
        // No evaluator here: what is queued stays waiting until the test takes it.
        settings["Gateway:OnlineEval:Enabled"] = "false";
        settings["Gateway:OnlineEval:WaitForEvaluator"] = "true";
        _gateway = await GatewayHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_window_stops_before_the_minute_of_the_oldest_sample_waiting_to_be_scored_waiting_or_in_flight()
    {
        var behaviour = _gateway.GetRequiredService<BehaviourStore>();
        var readings = _gateway.GetRequiredService<RolloutReadings>();
        var samples = _gateway.GetRequiredService<SampleStore>();
        var prompt = Bundles.UniqueName("scored");
        long[] minutes = [0, 1, 2];
        Assert.Equal(3, (await behaviour.CountAsync([.. minutes.Select(m =>
            new ScoredSample($"s{m}", prompt, Environment, 1, "stable", Hour + m, [MetricObservation.Measure("latency_ms", 10 * (m + 1))]))])).Count);
        var from = DateTimeOffset.FromUnixTimeSeconds(Hour * 60);
        var through = DateTimeOffset.FromUnixTimeSeconds((Hour + 3) * 60);

        Assert.Equal(3, await StableCountAsync());

        // A slow request of minute 1 still waits to be scored (and a later one behind it).
        var waiting = SampleIds.New(DateTimeOffset.FromUnixTimeSeconds(((Hour + 1) * 60) + 20));
        await samples.EnqueueAsync([waiting, SampleIds.New(DateTimeOffset.FromUnixTimeSeconds(((Hour + 2) * 60) + 5))]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(((Hour + 1) * 60) + 20), await samples.OldestUnscoredAsync());
        Assert.Equal(1, await StableCountAsync());

        // Claimed, it is still unscored: in flight.
        var claimed = await samples.Queue.ClaimAsync(1);
        Assert.Equal(waiting, Assert.Single(claimed).Id);
        Assert.Equal(1, await StableCountAsync());

        // Scored and acked: the window runs to the next one waiting (minute 2), then to the settled instant.
        Assert.True(await samples.Queue.AckAsync(claimed[0].Id, claimed[0].Receipt));
        Assert.Equal(2, await StableCountAsync());
        var rest = await samples.Queue.ClaimAsync(10);
        await samples.Queue.AckAsync(rest);
        Assert.Null(await samples.OldestUnscoredAsync());
        Assert.Equal(3, await StableCountAsync());

        // A sample unscored for longer than the hold-back is stuck, not late: the readings move on without it.
        var scored = _gateway.GetRequiredService<ScoredThrough>();
        var stuck = DateTimeOffset.FromUnixTimeSeconds((Hour - 60) * 60);
        await samples.EnqueueAsync([SampleIds.New(stuck)]);
        Assert.Equal(through - ScoredThrough.MaxHoldBack, await scored.ClampAsync(through));
        Assert.Equal(stuck, await scored.ClampAsync(stuck.AddMinutes(1)));

        async Task<long> StableCountAsync() =>
            (await readings.ReadAsync(prompt, Environment, baseline: 1, candidate: 2, ["latency_ms"], from, through))["latency_ms"].Stable.Count;
    }
}
