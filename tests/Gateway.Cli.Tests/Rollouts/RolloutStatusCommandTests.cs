using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Rollouts;

/// <summary><c>gatewayctl rollout status</c> in-process, against canned answers, at a fixed time.</summary>
public sealed class RolloutStatusCommandTests
{
    [Fact]
    public async Task A_running_rollout_shows_its_step_time_in_step_and_the_evidence_per_metric()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Running);

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), "rollout", "status", "support-bot", "--env", "production");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Get, api.Requests[0].Method);
        Assert.Equal("/admin/v1/prompts/support-bot/rollouts/production", api.OnlyPathAndQuery);
        var expected = """
            support-bot in production: v4 (candidate) against v3 (baseline)
              status:        running
              step:          2/4, weight 5%
              time in step:  312s (5m 12s) since 2026-11-29 13:05:00Z
              plan:          shadow 10% → [5%] → 25% → 100%
              started:       2026-11-29 12:40:00Z by alice (shorter apologies)
              updated:       2026-11-29 13:10:00Z (revision 7)

            Last evaluation 2026-11-29 13:10:00Z: continue (min_samples not reached)

            METRIC      STABLE          CANARY          DIFF                       THRESHOLD  VERDICT
            error       0.012 (n=1200)  0.0154 (n=130)  +0.0034 [-0.008, +0.0148]  0.02       inconclusive
            latency_ms  812.4 (n=1200)  905.1 (n=130)   +11.41% [+2.1%, +17.8%]    20%        acceptable
            """;
        Assert.Equal(expected.ReplaceLineEndings("\n") + "\n", run.Out);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task A_quantile_metric_shows_each_arms_quantile_and_an_interval_open_above()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.PausedOnP95);

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), "rollout", "status", "support-bot", "--env", "production");

        run.AssertExit(0);
        var row = run.Out.Split('\n').Single(line => line.StartsWith("latency_ms.p95", StringComparison.Ordinal));
        Assert.Equal(["latency_ms.p95", "1813 (n=1200)", "2900 (n=130)", "+60% [+25%, ∞)", "20%", "harmful"],
            row.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_weight_steps_distinct_users_per_arm_are_shown_with_what_each_arm_needs()
    {
        var held = RolloutViews.Running.Replace(
            "\"decision\":\"continue\",\"reason\":\"min_samples not reached\",",
            "\"decision\":\"continue\",\"reason\":\"held: the canary arm has 2 of the 20 distinct users/sessions it needs\",\"units\":{\"stable\":412,\"canary\":2,\"required\":20},",
            StringComparison.Ordinal);
        Assert.NotEqual(RolloutViews.Running, held);
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, held);

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), "rollout", "status", "support-bot", "--env", "production");

        run.AssertExit(0);
        Assert.Contains("""
            Last evaluation 2026-11-29 13:10:00Z: continue (held: the canary arm has 2 of the 20 distinct users/sessions it needs)
            Distinct users/sessions: stable 412, canary 2 (needs 20 per arm)
            """.ReplaceLineEndings("\n"), run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paused_rollout_says_why_and_shows_its_shadow_step()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Paused);

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), "rollout", "status", "support-bot", "-e", "production");

        run.AssertExit(0);
        var expected = """
            support-bot in production: v4 (candidate) against v3 (baseline)
              status:        paused: latency_ms is harmful and may only pause
              step:          1/4, shadow, share 10%
              time in step:  1812s (30m 12s) since 2026-11-29 12:40:00Z
              plan:          [shadow 10%] → 5% → 25% → 100%
              started:       2026-11-29 12:40:00Z by alice
              updated:       2026-11-29 12:55:00Z (revision 3)

            Last evaluation 2026-11-29 12:55:00Z: pause (latency_ms is harmful)

            METRIC      STABLE       CANARY       DIFF                 THRESHOLD  VERDICT
            latency_ms  800 (n=900)  1100 (n=90)  +37.5% [+25%, +50%]  20%        harmful
            """;
        Assert.Equal(expected.ReplaceLineEndings("\n") + "\n", run.Out);
    }

    [Fact]
    public async Task An_aborted_rollout_shows_the_evidence_that_aborted_it_and_the_time_its_step_lasted()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Aborted);

        // Long after the end: the time in step is the step's, not the time since.
        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now.AddDays(3)), "rollout", "status", "support-bot", "--env", "production");

        run.AssertExit(0);
        var expected = """
            support-bot in production: v4 (candidate) against v3 (baseline)
              status:        aborted: error is harmful: +0.031 over a threshold of 0.02
              step:          3/4, weight 25%
              time in step:  390s (6m 30s), from 2026-11-29 13:15:00Z until it ended at 2026-11-29 13:21:30Z
              plan:          shadow 10% → 5% → [25%] → 100%
              started:       2026-11-29 12:40:00Z by alice
              updated:       2026-11-29 13:21:30Z (revision 12)

            Last evaluation 2026-11-29 13:21:30Z: abort (error is harmful)

            METRIC      STABLE          CANARY          DIFF                     THRESHOLD  VERDICT
            error       0.011 (n=3000)  0.042 (n=1000)  +0.031 [+0.021, +0.041]  0.02       harmful
            latency_ms  810 (n=3000)    - (n=0)         -                        20%        inconclusive
            """;
        Assert.Equal(expected.ReplaceLineEndings("\n") + "\n", run.Out);
    }

    [Fact]
    public async Task A_rollouts_sampling_is_shown_so_an_operator_sees_why_its_prompt_is_sampled_at_every_request()
    {
        var view = RolloutViews.Running.Replace("\"revision\":7,", "\"sampling\":{\"stable\":1,\"canary\":0.5},\"revision\":7,", StringComparison.Ordinal);
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, view);

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), "rollout", "status", "support-bot", "--env", "production");

        run.AssertExit(0);
        Assert.Contains(
            "  plan:          shadow 10% → [5%] → 25% → 100%\n  sampling:      stable 100%, canary 50% while it runs\n",
            run.Out,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_shadow_step_the_rollouts_sampling_is_shown_as_still_to_come()
    {
        // The gateway applies it only once the canary serves users: a shadow step keeps the usual rates.
        var view = RolloutViews.Running
            .Replace("\"revision\":7,", "\"sampling\":{\"stable\":1,\"canary\":0.5},\"revision\":7,", StringComparison.Ordinal)
            .Replace("\"step\":1,", "\"step\":0,", StringComparison.Ordinal)
            .Replace("\"weight\":5,", "\"weight\":0,", StringComparison.Ordinal);
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, view);

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), "rollout", "status", "support-bot", "--env", "production");

        Assert.Contains(
            "  sampling:      stable 100%, canary 50% from its first weight step (a shadow step keeps the usual rates)\n",
            run.AssertExit(0).Out,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_the_rollout_as_the_gateway_sent_it()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Aborted);

        var run = await api.RunAsync("rollout", "status", "support-bot", "--env", "production", "--json");

        using var printed = JsonDocument.Parse(run.AssertExit(0).Out);
        using var original = JsonDocument.Parse(RolloutViews.Aborted);
        Assert.True(JsonElement.DeepEquals(original.RootElement, printed.RootElement));
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task Watch_looks_again_every_interval_through_a_pause_and_stops_when_the_rollout_ends()
    {
        string[] answers = [RolloutViews.Running, Paused(RolloutViews.Running), RolloutViews.Running, RolloutViews.Aborted, RolloutViews.Running];
        var looks = 0;
        var api = new FakeAdminApi(_ => Answer(answers[looks++]));
        var clock = new ManualClock(RolloutViews.Now);
        var waits = new List<TimeSpan>();

        var run = await RolloutCli.RunAsync(
            api,
            clock,
            (interval, _) =>
            {
                waits.Add(interval);
                clock.Now += interval;
                return Task.CompletedTask;
            },
            CancellationToken.None,
            "rollout", "status", "support-bot", "--env", "production", "--watch", "--interval", "30s");

        // Ended, but not promoted: a script waiting on the rollout must tell that from a promotion.
        run.AssertExit(5);
        // Running, paused (a human may resume), running, aborted: four looks, three waits, and no fifth look.
        Assert.Equal(4, api.Requests.Count);
        Assert.All(api.Requests, request => Assert.Equal("/admin/v1/prompts/support-bot/rollouts/production", request.RequestUri!.PathAndQuery));
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)], waits);
        var views = run.Out.Split("\n\nsupport-bot in production: ", StringSplitOptions.None);
        Assert.Equal(4, views.Length);
        Assert.Contains("  status:        running\n", views[0], StringComparison.Ordinal);
        Assert.Contains("  time in step:  312s (5m 12s) since", views[0], StringComparison.Ordinal);
        Assert.Contains("  status:        paused: by hand\n", views[1], StringComparison.Ordinal);
        Assert.Contains("  time in step:  342s (5m 42s) since", views[1], StringComparison.Ordinal);
        Assert.Contains("  time in step:  372s (6m 12s) since", views[2], StringComparison.Ordinal);
        Assert.Contains("  status:        aborted: error is harmful", views[3], StringComparison.Ordinal);
        Assert.Matches(@"\nerror +0\.011 \(n=3000\) +0\.042 \(n=1000\) +\+0\.031 \[\+0\.021, \+0\.041\] +0\.02 +harmful\n", views[3]);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task Watch_waits_two_seconds_by_default_and_with_json_prints_one_line_per_look()
    {
        string[] answers = [RolloutViews.Running, Promoted(RolloutViews.Running)];
        var looks = 0;
        var api = new FakeAdminApi(_ => Answer(answers[looks++]));
        var waits = new List<TimeSpan>();

        var run = await RolloutCli.RunAsync(
            api,
            new ManualClock(RolloutViews.Now),
            (interval, _) =>
            {
                waits.Add(interval);
                return Task.CompletedTask;
            },
            CancellationToken.None,
            "rollout", "status", "support-bot", "--env", "production", "--watch", "--json");

        run.AssertExit(0);
        Assert.Equal([TimeSpan.FromSeconds(2)], waits);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        using var last = JsonDocument.Parse(lines[1]);
        Assert.Equal("running", first.RootElement.GetProperty("status").GetString());
        Assert.Equal("promoted", last.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Watching_a_rollout_that_has_already_ended_shows_it_once_without_waiting()
    {
        // Through the real command tree: its delay is the real one, which this run must never reach.
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Promoted(RolloutViews.Running));

        var run = await api.RunAsync("rollout", "status", "support-bot", "--env", "production", "--watch", "--interval", "1h");

        run.AssertExit(0);
        Assert.Single(api.Requests);
        Assert.Contains("  status:        promoted: by hand\n", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_while_watching_stops_watching_with_success()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Running);
        using var interrupt = new CancellationTokenSource();
        var waits = 0;

        var run = await RolloutCli.RunAsync(
            api,
            new ManualClock(RolloutViews.Now),
            (_, cancellationToken) =>
            {
                if (++waits == 2)
                {
                    // Ctrl+C during the second wait.
                    interrupt.Cancel();
                }

                return cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;
            },
            interrupt.Token,
            "rollout", "status", "support-bot", "--env", "production", "--watch");

        run.AssertExit(0);
        Assert.Equal(2, api.Requests.Count);
        Assert.Equal(2, waits);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task A_failure_while_watching_ends_the_watch_with_its_exit_code()
    {
        var looks = 0;
        var api = new FakeAdminApi(_ => ++looks == 1
            ? Answer(RolloutViews.Running)
            : FakeAdminApi.Error(HttpStatusCode.ServiceUnavailable, "The store is unavailable.", "server_error", "store_unavailable"));

        var run = await RolloutCli.RunAsync(api, new ManualClock(RolloutViews.Now), (_, _) => Task.CompletedTask, CancellationToken.None,
            "rollout", "status", "support-bot", "--env", "production", "--watch");

        run.AssertExit(3);
        Assert.Equal(2, api.Requests.Count);
        Assert.Contains("error: The store is unavailable. (store_unavailable)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_rollout_is_a_refusal()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(
            HttpStatusCode.NotFound, "support-bot has no rollout in production.", "invalid_request_error", "rollout_not_found"));

        var run = await api.RunAsync("rollout", "status", "support-bot", "--env", "production", "--watch");

        run.AssertExit(1);
        Assert.Single(api.Requests);
        Assert.Empty(run.Out);
        Assert.Equal("error: support-bot has no rollout in production. (rollout_not_found)\n", run.Err.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("--interval 5s")]
    [InlineData("--watch --interval soon")]
    [InlineData("--watch --interval 0s")]
    public async Task A_bad_or_lone_interval_is_a_usage_error_and_nothing_is_sent(string options)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Running);

        var run = await api.RunAsync(["rollout", "status", "support-bot", "--env", "production", .. options.Split(' ')]);

        run.AssertExit(2);
        Assert.Empty(api.Requests);
        Assert.Contains("--interval", run.Err, StringComparison.Ordinal);
    }

    private static string Paused(string view) =>
        view.Replace("\"status\":\"running\",\"status_reason\":null", "\"status\":\"paused\",\"status_reason\":\"by hand\"", StringComparison.Ordinal);

    private static string Promoted(string view) =>
        view.Replace("\"status\":\"running\",\"status_reason\":null", "\"status\":\"promoted\",\"status_reason\":\"by hand\"", StringComparison.Ordinal);

    private static HttpResponseMessage Answer(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
