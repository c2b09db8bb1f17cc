using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Eval.Statistics.Rollouts;
using LlmGateway.Rollouts;
using LlmGateway.Sampling;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Rollouts;

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// Samples forced by a <c>debug</c> key (<c>X-Gateway-Sample: true</c>) on a real gateway with its evaluator: stored and
/// listed, but left out of the behaviour series that the rollout controller and the change detector read. A debug key
/// picks its requests and, by <c>X-Session-Id</c>, its arm; counted, each forced sample would weigh as a hundred
/// 1%-sampled requests and steer that arm's readings.
/// </summary>
public sealed class ForcedSampleSeriesTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the mock answers a forced request: a refusal, so a forced sample counted would move the refusal rate.</summary>
    private const string Refusal = "I'm sorry, but I can't help with that.";

    [Fact]
    public async Task Forced_samples_from_a_debug_key_leave_each_arms_series_as_its_rate_samples_make_them()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true);
        await using var _ = gateway;
        var name = "beh-forced-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)], canaryVersion: 2, canaryWeight: 5000);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway, GatewayKeyPermissions.Debug));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var start = clock.GetUtcNow();

        // First the forced requests, each answered with a refusal, on whichever arm its session falls; then the same
        // key's requests as any client sends them, sampled by the arms' rate (every request, here), answered plainly.
        var forced = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            forced.Add(await AskAsync(client, name, force: true));
        }

        var rate = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            rate.Add(await AskAsync(client, name, force: false));
        }

        // Both arms got some of each (a 50% split over 20 random sessions).
        Assert.Equal(["canary", "stable"], forced.Distinct().Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["canary", "stable"], rate.Distinct().Order(StringComparer.Ordinal).ToArray());

        // Every sample is stored and listed, the forced ones as such.
        var listed = await LlmGateway.Tests.Sampling.SampleWaiter.ListAsync(gateway, $"prompt={name}&limit=100", 40, TimeSpan.FromSeconds(30));
        Assert.Equal(20, listed.Count(s => s.GetProperty("reason").GetString() == SampleReasons.Forced));
        Assert.Equal(20, listed.Count(s => s.GetProperty("reason").GetString() == SampleReasons.Rate));

        // Once the rate samples are counted (offered after the forced ones) and the queue is empty, every sample has been
        // through the evaluator.
        var readings = gateway.GetRequiredService<RolloutReadings>();
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Dictionary<string, (ArmMoments Stable, ArmMoments Canary)> read = [];
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                read = await readings.ReadAsync(name, PromptSetup.Environment, 1, 2, ["refusal"], start.AddSeconds(-2), ThroughNow(clock));
                var stats = await queue.StatsAsync();
                return read["refusal"].Stable.Count + read["refusal"].Canary.Count >= rate.Count && stats is { Ready: 0, InFlight: 0 };
            },
            TimeSpan.FromSeconds(60)));

        // Each arm's reading is its rate samples' alone: their count, and no refusal.
        var (stable, canary) = read["refusal"];
        Assert.Equal((rate.Count(v => v == "stable"), 0.0), (stable.Count, stable.Sum));
        Assert.Equal((rate.Count(v => v == "canary"), 0.0), (canary.Count, canary.Sum));
    }

    [Fact]
    public async Task A_forced_stable_sample_still_pairs_with_its_shadow_copy_and_stays_out_of_the_served_series()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true);
        await using var _ = gateway;
        var name = await ShadowStep.StartOnNewPromptAsync(gateway, "beh-forced-shadow");
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway, GatewayKeyPermissions.Debug));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var start = clock.GetUtcNow();

        // Forced, then not: both are copied (the step mirrors every stable request), and both copies pair.
        Assert.Equal("stable", await AskAsync(client, name, force: true));
        Assert.Equal("stable", await AskAsync(client, name, force: false));

        var readings = gateway.GetRequiredService<RolloutReadings>();
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        PairedMoments pairs = default;
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                pairs = (await readings.ReadPairedAsync(name, PromptSetup.Environment, 2, ["error"], start.AddSeconds(-2), ThroughNow(clock)))["error"];
                var stats = await queue.StatsAsync();
                return pairs.Differences.Count == 2 && stats is { Ready: 0, InFlight: 0 };
            },
            TimeSpan.FromSeconds(60)));

        var listed = await LlmGateway.Tests.Sampling.SampleWaiter.ListAsync(gateway, $"prompt={name}&variant=stable", 2);
        Assert.Equal([SampleReasons.Forced, SampleReasons.Shadow], listed.Select(s => s.GetProperty("reason").GetString()).Order(StringComparer.Ordinal).ToArray());
        // The served series hold the stable answer that was not forced, alone.
        var served = (await readings.ReadAsync(name, PromptSetup.Environment, 1, 2, ["error"], start.AddSeconds(-2), ThroughNow(clock)))["error"];
        Assert.Equal((1L, 0L), (served.Stable.Count, served.Canary.Count));
    }

    /// <summary>One non-streamed request under a new session (so a new draw of the arm); the arm that served it.</summary>
    private static async Task<string> AskAsync(HttpClient client, string name, bool force)
    {
        var json = $$"""
            {"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},
             "messages":[{"role":"user","content":"Question {{Guid.NewGuid():N}}: where is my parcel?"}]}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Session-Id", Guid.NewGuid().ToString("N"));
        if (force)
        {
            request.Headers.Add("X-Gateway-Sample", "true");
            request.Headers.Add("x-mock-reply", Refusal);
        }

        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Prompt-Variant").Single();
    }

    /// <summary>A reading's exclusive end that takes in the minute now filling (readings end at whole minutes).</summary>
    private static DateTimeOffset ThroughNow(TimeProvider clock) => clock.GetUtcNow().AddMinutes(1);
}
