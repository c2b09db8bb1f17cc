using LlmGateway.Auth;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Sampling;

/// <summary>The sampling decision alone: rates per arm over many requests, the hourly floor, forcing, plain traffic.</summary>
public sealed class SamplingPolicyTests(TestEnvironment env)
{
    private const int Requests = 20_000;

    private static readonly CatalogModel Model = new("gpt-4o-mini", new Provider("p", new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" }), "gpt-4o-mini", null);
    private static readonly GatewayKey Key = new("key_plain", "app", "production", [], DateTimeOffset.UnixEpoch);
    private static readonly GatewayKey DebugKey = new("key_debug", "app", "production", [GatewayKeyPermissions.Debug], DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData(Variants.Stable, 0.01)]
    [InlineData(Variants.Canary, 0.2)]
    public void Each_arm_is_sampled_at_its_rate_within_tolerance_over_20k_requests(string variant, double rate)
    {
        var policy = Policy(new SamplingOptions { StableRate = 0.01, CanaryRate = 0.2 });
        var selection = Selection(variant);

        var sampled = Enumerable.Range(0, Requests).Count(i => policy.Decide(Request(), Key, Model, selection).Sampled);

        // Four standard deviations of a binomial: a correct policy essentially never falls outside.
        var expected = Requests * rate;
        var tolerance = 4 * Math.Sqrt(Requests * rate * (1 - rate));
        Assert.InRange(sampled, expected - tolerance, expected + tolerance);
    }

    [Fact]
    public void A_release_policy_overrides_the_configured_rates_per_arm()
    {
        var policy = Policy(new SamplingOptions { StableRate = 0.5, CanaryRate = 0.5 });
        var release = new ReleaseSampling { Stable = 0, Canary = 1 };

        Assert.All(Enumerable.Range(0, 200), i => Assert.False(policy.Decide(Request(), Key, Model, Selection(Variants.Stable, release)).Sampled));
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(SampleReasons.Rate, policy.Decide(Request(), Key, Model, Selection(Variants.Canary, release)).Reason));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_running_rollouts_rates_sample_every_request_of_each_arm_over_low_usual_rates(bool releasePolicy)
    {
        // The shipped rates: at 1% of stable, a rollout's step waits far past its maximum for the readings it needs.
        var policy = Policy(new SamplingOptions { StableRate = 0.01, CanaryRate = 0.01 });
        var release = releasePolicy ? new ReleaseSampling { Stable = 0.01, Canary = 0.01 } : null;
        var rollout = new RolloutSampling { Stable = 1, Canary = 1 };

        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(SampleReasons.Rate, policy.Decide(Request(), Key, Model, Selection(Variants.Stable, release, rollout: rollout)).Reason));
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(SampleReasons.Rate, policy.Decide(Request(), Key, Model, Selection(Variants.Canary, release, rollout: rollout)).Reason));
    }

    [Fact]
    public void Each_arm_takes_the_higher_of_its_usual_rate_and_the_rollouts()
    {
        // Every draw lands at 0.5: a rate above it samples, one below does not.
        var policy = Policy(new SamplingOptions { StableRate = 0, CanaryRate = 0, PinnedRate = 0 }, draw: SampleDraw.From(static () => 0.5));

        // The release's rate is higher than the rollout's: the release's wins.
        Assert.True(policy.Decide(Request(), Key, Model, Selection(Variants.Stable, new ReleaseSampling { Stable = 0.6 }, rollout: new RolloutSampling { Stable = 0.4, Canary = 0.4 })).Sampled);
        // The rollout's is higher: the rollout's wins.
        Assert.True(policy.Decide(Request(), Key, Model, Selection(Variants.Canary, new ReleaseSampling { Canary = 0.4 }, rollout: new RolloutSampling { Stable = 0.4, Canary = 0.6 })).Sampled);
        // Both lower: not sampled.
        Assert.False(policy.Decide(Request(), Key, Model, Selection(Variants.Stable, new ReleaseSampling { Stable = 0.3 }, rollout: new RolloutSampling { Stable = 0.4, Canary = 0.6 })).Sampled);
        // Each arm its own rate: the canary's 0.6 does not sample the stable arm.
        Assert.False(policy.Decide(Request(), Key, Model, Selection(Variants.Stable, rollout: new RolloutSampling { Stable = 0.4, Canary = 0.6 })).Sampled);
        // Pinned evaluation traffic keeps its own rate.
        Assert.False(policy.Decide(Request(), Key, Model, Selection(Variants.Pinned, rollout: new RolloutSampling { Stable = 1, Canary = 1 })).Sampled);
    }

    [Fact]
    public void The_floor_samples_each_arm_at_its_hourly_pace_from_its_first_request()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        var policy = Policy(new SamplingOptions { StableRate = 0, CanaryRate = 0, FloorPerHour = 5 }, clock);

        int Count(string variant, int version) => Enumerable.Range(0, 100)
            .Count(i => policy.Decide(Request(), Key, Model, Selection(variant, version: version)).Reason == SampleReasons.Floor);

        // Each arm's first request is sampled, then one every 12 minutes (5 an hour), per arm.
        Assert.Equal(1, Count(Variants.Stable, 1));
        Assert.Equal(1, Count(Variants.Canary, 2));
        Assert.Equal(1, Count(Variants.Stable, 3));
        Assert.Equal(0, Count(Variants.Stable, 1));

        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(0, Count(Variants.Stable, 1));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, Count(Variants.Stable, 1));
        Assert.Equal(1, Count(Variants.Canary, 2));
    }

    [Fact]
    public void Steady_traffic_gets_its_floor_spread_evenly_over_the_hour_not_at_its_start()
    {
        // The change detector mixes the arms by their samples: the floor's samples must not bunch up at :00.
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        var policy = Policy(new SamplingOptions { StableRate = 0, FloorPerHour = 120 }, clock);
        var perMinute = new int[120];

        // Two hours of 10 requests a second.
        for (var i = 0; i < 2 * 3600 * 10; i++)
        {
            if (policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Reason == SampleReasons.Floor)
            {
                perMinute[i / 600]++;
            }

            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 120 an hour is one every 30 s: 2 a minute in every minute (the first request's slot is the first minute's first).
        Assert.All(perMinute, n => Assert.Equal(2, n));
    }

    [Fact]
    public void An_idle_arm_saves_up_at_most_a_minutes_worth_of_floor()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        var policy = Policy(new SamplingOptions { StableRate = 0, FloorPerHour = 600 }, clock);
        int Burst() => Enumerable.Range(0, 100).Count(i => policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Reason == SampleReasons.Floor);

        Assert.Equal(1, Burst());
        clock.Advance(TimeSpan.FromMinutes(30));

        // 600 an hour is 10 a minute: half an hour without traffic yields 10 at once, not 300.
        Assert.Equal(10, Burst());
    }

    [Fact]
    public void Rate_samples_count_towards_the_floor()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        var draws = new Queue<double>([0.0, 0.0, 0.9, 0.9]);
        var policy = Policy(new SamplingOptions { StableRate = 0.5, FloorPerHour = 60 }, clock, SampleDraw.From(() => draws.Dequeue()));

        Assert.Equal(SampleReasons.Rate, policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Reason);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SampleReasons.Rate, policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Reason);

        // Both slots that came due (the first request's and the minute's) went to rate samples.
        Assert.False(policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Sampled);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SampleReasons.Floor, policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Reason);
    }

    [Fact]
    public void Forced_samples_do_not_count_towards_the_floor()
    {
        // The floor feeds the behaviour series, which leave forced samples out: a debug key forcing samples must not
        // use up the arm's floor and leave its series short.
        var policy = Policy(new SamplingOptions { StableRate = 0, FloorPerHour = 3 });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(SampleReasons.Forced, policy.Decide(Request(force: true), DebugKey, Model, Selection(Variants.Stable)).Reason);
        }

        Assert.Equal(1, Enumerable.Range(0, 50).Count(i => policy.Decide(Request(), Key, Model, Selection(Variants.Stable)).Reason == SampleReasons.Floor));
    }

    [Fact]
    public void Forcing_needs_the_debug_permission_and_a_true_value()
    {
        var policy = Policy(new SamplingOptions { StableRate = 0 });

        Assert.Equal(SampleReasons.Forced, policy.Decide(Request(force: true), DebugKey, Model, Selection(Variants.Stable)).Reason);
        Assert.Equal(SampleReasons.Forced, policy.Decide(Request(force: true), DebugKey, Model, null).Reason);
        Assert.False(policy.Decide(Request(force: true), Key, Model, Selection(Variants.Stable)).Sampled);
        Assert.False(policy.Decide(Request(force: true, value: "no"), DebugKey, Model, Selection(Variants.Stable)).Sampled);
    }

    [Fact]
    public void Plain_traffic_is_sampled_by_the_highest_of_its_model_key_and_default_rates()
    {
        var byModel = Policy(new SamplingOptions { Models = { ["gpt-4o-mini"] = 1 } });
        var byKey = Policy(new SamplingOptions { Keys = { ["key_plain"] = 1 } });
        var off = Policy(new SamplingOptions { Models = { ["other"] = 1 }, Keys = { ["key_other"] = 1 } });

        Assert.All(Enumerable.Range(0, 100), i => Assert.True(byModel.Decide(Request(), Key, Model, null).Sampled));
        Assert.All(Enumerable.Range(0, 100), i => Assert.True(byKey.Decide(Request(), Key, Model, null).Sampled));
        Assert.All(Enumerable.Range(0, 100), i => Assert.False(off.Decide(Request(), Key, Model, null).Sampled));
    }

    [Fact]
    public void Pinned_evaluation_traffic_uses_its_own_rate_and_no_floor()
    {
        var policy = Policy(new SamplingOptions { StableRate = 1, PinnedRate = 0, FloorPerHour = 10 });

        Assert.All(Enumerable.Range(0, 100), i => Assert.False(policy.Decide(Request(), Key, Model, Selection(Variants.Pinned)).Sampled));
    }

    [Fact]
    public void Disabled_sampling_samples_nothing_not_even_forced_requests()
    {
        var policy = Policy(new SamplingOptions { Enabled = false, StableRate = 1 });

        Assert.False(policy.Decide(Request(force: true), DebugKey, Model, Selection(Variants.Stable)).Sampled);
    }

    [Fact]
    public void A_request_that_is_not_sampled_allocates_nothing()
    {
        var request = Request();
        var selection = Selection(Variants.Stable);
        var inRollout = Selection(Variants.Canary, rollout: new RolloutSampling { Stable = 0.1, Canary = 0.1 });
        var missed = Policy(new SamplingOptions { StableRate = 0.01, PlainRate = 0.01 }, draw: SampleDraw.From(static () => 0.5));
        var drawn = Policy(new SamplingOptions { StableRate = 1e-12, PlainRate = 1e-12 });
        var floored = Policy(new SamplingOptions { StableRate = 0, FloorPerHour = 5 });
        for (var i = 0; i < 100; i++)
        {
            Decide();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Decide();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Decide()
        {
            Assert.False(missed.Decide(request, Key, Model, selection).Sampled);
            Assert.False(missed.Decide(request, Key, Model, inRollout).Sampled);
            Assert.False(missed.Decide(request, Key, Model, null).Sampled);
            Assert.False(drawn.Decide(request, Key, Model, selection).Sampled);
            Assert.False(drawn.Decide(request, Key, Model, null).Sampled);
            _ = floored.Decide(request, Key, Model, selection);
        }
    }

    private SamplingPolicy Policy(SamplingOptions options, TimeProvider? time = null, SampleDraw? draw = null) =>
        new(new FixedOptionsMonitor<SamplingOptions>(options), new SampleFloorTracker(time ?? TimeProvider.System), draw ?? SampleDraw.Random, env.Gateway.GetRequiredService<GatewayMetrics>());

    private static HttpRequest Request(bool force = false, string value = "true")
    {
        var context = new DefaultHttpContext();
        if (force)
        {
            context.Request.Headers["X-Gateway-Sample"] = value;
        }

        return context.Request;
    }

    private static PromptSelection Selection(string variant, ReleaseSampling? sampling = null, int version = 1, RolloutSampling? rollout = null)
    {
        var bundle = new PromptBundle { Id = "id", Name = "bot", Version = version, Author = "a", Model = "gpt-4o-mini", Messages = [] };
        return new PromptSelection(new PreparedBundle(bundle, Model, [], []), variant, "production", sampling, RolloutSampling: rollout);
    }
}
