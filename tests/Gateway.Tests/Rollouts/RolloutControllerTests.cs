using System.Net;
using System.Text.Json;
using LlmGateway.Releases;
using LlmGateway.Rollouts;
using LlmGateway.Store;
using LlmGateway.Tests.Behaviour;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// The controller on a real gateway: live traffic through the mock, samples scored by the in-process evaluator,
/// the controller judging both arms and acting through the release. The clock is moved, not waited for.
/// </summary>
public sealed class RolloutControllerTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Plan = """
        {"steps":[{"weight":50,"min_duration":"1m","min_samples":30},{"weight":60,"min_duration":"1m","min_samples":30}],
         "metrics":[{"metric":"refusal","threshold":0.1},{"metric":"error","threshold":0.1}]}
        """;

    [Fact]
    public async Task A_canary_that_refuses_half_its_answers_is_aborted_and_the_abort_names_the_metric_with_its_evidence()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]");
        await using var _ = gateway;

        await TrafficAsync(gateway, clock, name, 480);
        var decision = await LookAsync(gateway, name);

        Assert.Equal("abort", decision);
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var rollout = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("aborted", rollout.GetProperty("status").GetString());
        Assert.Contains("refusal", rollout.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(JsonValueKind.Null, release.GetProperty("canary").ValueKind);

        var abort = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Last();
        Assert.Equal(("abort", RolloutController.Actor), (abort.GetProperty("action").GetString(), abort.GetProperty("actor").GetString()));
        var refusal = abort.GetProperty("evidence").GetProperty("rollout").GetProperty("evaluation").GetProperty("metrics").EnumerateArray()
            .Single(m => m.GetProperty("metric").GetString() == "refusal");
        Assert.Equal("harmful", refusal.GetProperty("verdict").GetString());
        Assert.Equal(0, refusal.GetProperty("stable").GetProperty("mean").GetDouble());
        Assert.True(refusal.GetProperty("ci_low").GetDouble() > 0.1, "the whole interval is past the threshold");
        Assert.True(refusal.GetProperty("canary").GetProperty("count").GetInt64() >= 30);
    }

    [Fact]
    public async Task A_canary_with_a_slow_tail_is_aborted_on_its_latency_quantile_with_both_arms_quantiles_as_evidence()
    {
        // 30% of the candidate's answers wait 300 ms: its p90 is past +20% of stable's, judged from the arms' latency
        // histograms in the store (the plan has no other metric).
        const string plan = """
            {"steps":[{"weight":50,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"latency_ms.p90","threshold":0.2,"relative":true,"abort":true}]}
            """;
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:latency-ms=300,slow=0.3]]", plan);
        await using var _ = gateway;

        await TrafficAsync(gateway, clock, name, 480);
        var decision = await LookAsync(gateway, name);

        Assert.Equal("abort", decision);
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var abort = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Last();
        Assert.Equal("abort", abort.GetProperty("action").GetString());
        var p90 = abort.GetProperty("evidence").GetProperty("rollout").GetProperty("evaluation").GetProperty("metrics").EnumerateArray().Single();
        Assert.Equal(("latency_ms.p90", "harmful"), (p90.GetProperty("metric").GetString(), p90.GetProperty("verdict").GetString()));
        Assert.True(p90.GetProperty("canary").GetProperty("quantile").GetDouble() >= 290, p90.ToString());
        Assert.True(p90.GetProperty("stable").GetProperty("quantile").GetDouble() < 290, p90.ToString());
        Assert.True(p90.GetProperty("ci_low").GetDouble() > 0.2, "the whole interval is past +20%");
        Assert.Equal(JsonValueKind.Null, p90.GetProperty("stable").GetProperty("mean").ValueKind);
    }

    [Fact]
    public async Task A_minute_is_judged_only_once_it_has_settled_and_the_steps_time_counts_to_the_same_instant()
    {
        // A sample counts in its request's starting minute but arrives after the answer: a minute just ended lacks its
        // slowest answers. The look right after the traffic's minute ended read it anyway, and counted the step's
        // minimum duration on the wall clock while that minute's tail was still arriving.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]", settleSeconds: 60);
        await using var _ = gateway;

        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("continue", await LookAsync(gateway, name));
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var unsettled = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        var refusal = unsettled.GetProperty("last_evaluation").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "refusal");
        Assert.Equal(0, refusal.GetProperty("canary").GetProperty("count").GetInt64());

        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("abort", await LookAsync(gateway, name));
    }

    [Fact]
    public async Task A_canary_whose_template_needs_a_variable_half_the_traffic_omits_is_aborted_on_error()
    {
        // v2 adds {{ tier }} to its system template; clients that do not send it get 400 missing_variable from the
        // canary only (v1 serves them). Those refusals were never counted: the canary's answers that rendered looked
        // healthy and the step advanced.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} ({{ tier }})", candidateVariables: TierVariables);
        await using var _ = gateway;

        var refused = await MixedTierTrafficAsync(gateway, clock, name, 240);
        var decision = await LookAsync(gateway, name);

        Assert.True(refused >= 30, $"{refused} canary requests refused");
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var rollout = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.True(decision == "abort", rollout.GetRawText());
        Assert.Equal("aborted", rollout.GetProperty("status").GetString());
        Assert.Contains("error", rollout.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
        var error = rollout.GetProperty("last_evaluation").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "error");
        Assert.Equal("harmful", error.GetProperty("verdict").GetString());
        Assert.Equal(0, error.GetProperty("stable").GetProperty("mean").GetDouble());
        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(JsonValueKind.Null, release.GetProperty("canary").ValueKind);
    }

    [Fact]
    public async Task An_equivalent_canary_advances_then_promotes_and_each_step_is_recorded_once()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;

        await TrafficAsync(gateway, clock, name, 480);
        var first = await LookAsync(gateway, name);
        using var debug = new AdminClient(gateway, TestEnvironment.AdminToken);
        Assert.True(first == "advance", (await debug.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Text);
        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("promote", await LookAsync(gateway, name));
        // Looked at again, an ended rollout does nothing.
        Assert.Null(await LookAsync(gateway, name));

        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToArray();
        Assert.Equal(["release-set", "canary-start", "canary-weight", "promote"], history);
        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, release.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task An_equivalent_canary_whose_arms_are_one_application_each_is_held_then_paused_at_its_maximum_duration()
    {
        // Clients that send neither X-Session-Id nor user are assigned by their key: each arm here is one application's
        // every request. Hundreds of samples per arm made the interval narrow and the canary advanced, though all it
        // compared was two applications.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();

        await KeyedTrafficAsync(gateway, clock, name, 480);
        Assert.Equal("continue", await LookAsync(gateway, name));
        var held = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Running, 0), (held.Status, held.Step));
        Assert.StartsWith("held: the canary arm has 1 of the 20 distinct users/sessions it needs", held.LastEvaluation!.Reason, StringComparison.Ordinal);
        Assert.Equal((1L, 1L, 20L), (held.LastEvaluation.Units!.Stable, held.LastEvaluation.Units.Canary, held.LastEvaluation.Units.Required));
        Assert.All(held.LastEvaluation.Metrics, m => Assert.True(m.Canary.Count >= 30, $"{m.Metric}: {m.Canary.Count} canary samples"));

        // The step's maximum duration (3 × 1m) passes without more units: paused for a human, the weight kept.
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal("pause", await LookAsync(gateway, name));
        var paused = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Paused, 0), (paused.Status, paused.Step));
        Assert.Contains("the canary arm has 1 of the 20 distinct users/sessions it needs: clients that send neither X-Session-Id nor user are assigned by key", paused.StatusReason, StringComparison.Ordinal);
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        Assert.Equal(5000, (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json.GetProperty("canary_weight").GetInt32());
        var evaluation = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json.GetProperty("last_evaluation");
        Assert.Equal(1, evaluation.GetProperty("units").GetProperty("canary").GetInt64());
        Assert.Equal(20, evaluation.GetProperty("units").GetProperty("required").GetInt64());
    }

    [Fact]
    public async Task A_lost_fence_sequence_gives_the_next_leader_a_token_above_the_rollouts_fence()
    {
        // The sequence is the coldest key (touched once per new lease): evicted, the next leader's token restarted at 1,
        // below the fence the rollout remembers, and every write of it was refused for good, the rollout unjudged.
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var host = gateway;
        var store = gateway.GetRequiredService<GatewayStore>();
        var rollouts = gateway.GetRequiredService<RolloutStore>();
        var view = (await rollouts.GetAsync(name, "staging"))!;
        Assert.True(await rollouts.TryWriteAsync(view with { StatusReason = "an earlier leader's look" }, view.Revision, fencingToken: 41));
        await store.Database.KeyDeleteAsync([store.Keys.RolloutLease(name, "staging"), store.Keys.RolloutFenceSequence(name, "staging")]);

        var token = await new RolloutLease(store, "next-leader").TryHoldAsync(name, "staging", TimeSpan.FromMinutes(1));

        Assert.Equal(42, token);
        var after = (await rollouts.GetAsync(name, "staging"))!;
        Assert.True(await rollouts.TryWriteAsync(after with { StatusReason = "the next leader's look" }, after.Revision, token));
    }

    [Fact]
    public async Task A_deposed_leader_cannot_write_and_a_follower_takes_over_with_a_larger_token()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var host = gateway;
        var store = gateway.GetRequiredService<GatewayStore>();
        var leader = new RolloutLease(store, "leader");
        var follower = new RolloutLease(store, "follower");
        var ttl = TimeSpan.FromMilliseconds(300);

        var first = await leader.TryHoldAsync(name, "staging", ttl);
        Assert.True(first > 0);
        Assert.Equal(0, await follower.TryHoldAsync(name, "staging", ttl));
        Assert.Equal(first, await leader.TryHoldAsync(name, "staging", ttl));

        // The leader stops renewing (it died): the follower gets the lease once it lapses, with a larger token.
        var second = await Eventually.ResultAsync(() => follower.TryHoldAsync(name, "staging", ttl), t => t > 0, TimeSpan.FromSeconds(5));
        Assert.True(second > first);

        // Deposed the moment the follower holds the lease, before the follower has written anything: the old leader's
        // late look (a pause, a held continue) is refused too, not only once the follower's first write raised the fence.
        var rollouts = gateway.GetRequiredService<RolloutStore>();
        var view = (await rollouts.GetAsync(name, "staging"))!;
        Assert.False(await rollouts.TryWriteAsync(view with { StatusReason = "zombie before the follower's first write" }, view.Revision, first));
        Assert.True(await rollouts.TryWriteAsync(view with { StatusReason = "follower's look" }, view.Revision, second));
        var after = (await rollouts.GetAsync(name, "staging"))!;
        Assert.False(await rollouts.TryWriteAsync(after with { StatusReason = "zombie" }, after.Revision, first));
        Assert.Equal("follower's look", (await rollouts.GetAsync(name, "staging"))!.StatusReason);
    }

    [Fact]
    public async Task A_controller_release_change_made_after_an_operator_paused_is_refused_and_the_release_stays_as_it_was()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var host = gateway;
        var rollouts = gateway.GetRequiredService<RolloutStore>();
        var service = gateway.GetRequiredService<RolloutService>();
        var releases = gateway.GetRequiredService<ReleaseService>();
        var looked = (await rollouts.GetAsync(name, PromptSetup.Environment))!;
        var (before, _) = await releases.GetAsync(name, PromptSetup.Environment);

        // The controller has claimed its look (the rollout at looked.Revision); an operator pauses before it acts.
        Assert.True(await rollouts.TryWriteAsync(looked with { Status = RolloutStatuses.Paused }, looked.Revision, fencingToken: null));

        var refusal = await service.ChangeReleaseAsync(looked, ActivationActions.CanaryStart, 6000, "the controller's next step", null, "rollout-controller", Ct, before!.Revision, rolloutRevision: looked.Revision);

        Assert.Equal("revision_conflict", refusal?.Code);
        var (after, _) = await releases.GetAsync(name, PromptSetup.Environment);
        Assert.Equal(before.Revision, after!.Revision);
        Assert.Equal(before.CanaryWeight, after.CanaryWeight);

        // Fenced by the rollout's current revision, the same change is made.
        var current = (await rollouts.GetAsync(name, PromptSetup.Environment))!;
        Assert.Null(await service.ChangeReleaseAsync(current, ActivationActions.CanaryStart, 6000, "at the current revision", null, "rollout-controller", Ct, before.Revision, rolloutRevision: current.Revision));
        Assert.Equal(6000, (await releases.GetAsync(name, PromptSetup.Environment)).Release!.CanaryWeight);
    }

    [Fact]
    public async Task A_rollout_stays_in_the_active_index_when_an_earlier_rollouts_removal_lands_after_it_started()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var host = gateway;
        var rollouts = gateway.GetRequiredService<RolloutStore>();
        Assert.Contains((name, PromptSetup.Environment), await rollouts.ListActiveAsync());

        // The previous rollout of this prompt ended, and its removal from the index runs only now, after this one began.
        await rollouts.UnlistUnlessActiveAsync(name, PromptSetup.Environment);

        Assert.Contains((name, PromptSetup.Environment), await rollouts.ListActiveAsync());

        // This one ending takes it out.
        var view = (await rollouts.GetAsync(name, PromptSetup.Environment))!;
        Assert.True(await rollouts.TryWriteAsync(view with { Status = RolloutStatuses.Aborted }, view.Revision, fencingToken: null));
        Assert.DoesNotContain((name, PromptSetup.Environment), await rollouts.ListActiveAsync());
    }

    private const string ShadowPlan = """
        {"steps":[{"shadow":true,"share":1,"min_duration":"1m","min_samples":30},{"weight":50,"min_duration":"1m","min_samples":30}],
         "metrics":[{"metric":"refusal","threshold":0.1},{"metric":"error","threshold":0.1}]}
        """;

    [Fact]
    public async Task A_shadow_step_with_a_regressed_candidate_aborts_and_no_client_ever_got_the_candidate()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]", ShadowPlan);
        await using var _ = gateway;

        var served = await ShadowTrafficAsync(gateway, clock, name, 120);

        // Every client was answered by the stable version; the candidate answered only the copies.
        Assert.Equal(["1|stable"], served.Distinct().ToArray());
        var decision = await LookAsync(gateway, name);
        Assert.Equal("abort", decision);

        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var rollout = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("aborted", rollout.GetProperty("status").GetString());
        Assert.Equal(0, rollout.GetProperty("step").GetInt32());
        Assert.Contains("refusal", rollout.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
        var refusal = rollout.GetProperty("last_evaluation").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "refusal");
        Assert.Equal("harmful", refusal.GetProperty("verdict").GetString());
        // Paired: both answers to the same 120 requests.
        Assert.Equal(120, refusal.GetProperty("stable").GetProperty("count").GetInt64());
        Assert.Equal(120, refusal.GetProperty("canary").GetProperty("count").GetInt64());
        Assert.Equal(0, refusal.GetProperty("stable").GetProperty("mean").GetDouble());

        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(JsonValueKind.Null, release.GetProperty("canary").ValueKind);
        Assert.Equal(0, release.GetProperty("shadow_share").GetInt32());
        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToArray();
        Assert.Equal(["release-set", "canary-start", "abort"], history);

        // The copies were billed apart: the shadow principal's usage, not the client key's.
        var usage = await Eventually.ResultAsync(
            async () => (await viewer.GetAsync($"/admin/v1/usage?groupBy=key,variant&prompt={name}")).Expect(HttpStatusCode.OK).Text,
            text => text.Contains("shadow-staging", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        Assert.Contains("shadow-staging", usage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shadow_candidate_that_cannot_render_half_the_copies_pairs_them_as_failures_and_is_aborted()
    {
        // A copy the candidate refused to render counted only as a failed shadow call: no pair, so the step judged the
        // candidate on the copies it could answer.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} ({{ tier }})", ShadowPlan, TierVariables);
        await using var _ = gateway;

        var served = await ShadowTrafficAsync(gateway, clock, name, 120, withTier: i => i % 2 == 0);

        Assert.Equal(["1|stable"], served.Distinct().ToArray());
        Assert.Equal("abort", await LookAsync(gateway, name));
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var rollout = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Contains("error", rollout.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
        var error = rollout.GetProperty("last_evaluation").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "error");
        Assert.Equal("harmful", error.GetProperty("verdict").GetString());
        // Every copy is a pair: the 60 refused ones as the candidate's failures.
        Assert.Equal((120L, 120L), (error.GetProperty("stable").GetProperty("count").GetInt64(), error.GetProperty("canary").GetProperty("count").GetInt64()));
        Assert.Equal((0.0, 0.5), (error.GetProperty("stable").GetProperty("mean").GetDouble(), error.GetProperty("canary").GetProperty("mean").GetDouble()));
    }

    [Fact]
    public async Task An_equivalent_candidate_passes_its_shadow_step_and_only_then_reaches_users()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;

        var served = await ShadowTrafficAsync(gateway, clock, name, 120);
        Assert.Equal(["1|stable"], served.Distinct().ToArray());
        using var debug = new AdminClient(gateway, TestEnvironment.AdminToken);
        var decision = await LookAsync(gateway, name);
        Assert.True(decision == "advance", (await debug.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Text);

        var release = (await debug.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((2, 5000, 0), (release.GetProperty("canary").GetInt32(), release.GetProperty("canary_weight").GetInt32(), release.GetProperty("shadow_share").GetInt32()));
    }

    [Fact]
    public async Task An_operators_pause_between_the_controllers_step_and_its_record_keeps_the_pause_and_shows_the_step_users_get()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        await ShadowTrafficAsync(gateway, clock, name, 120);
        var controller = gateway.GetRequiredService<RolloutController>();
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        // The operator's pause lands after the controller's release change, before its rollout write.
        controller.AfterReleaseChange = async () =>
            (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"looking"}""")).Expect(HttpStatusCode.OK);

        var looked = clock.GetUtcNow();
        var decision = await LookAsync(gateway, name);

        // Users get the next step (the release changed first); the rollout says so, and stays paused for the human.
        Assert.Equal("advance", decision);
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(5000, release.GetProperty("canary_weight").GetInt32());
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("paused", 1, 50.0, "looking"), (rollout.Status, rollout.Step, rollout.Weight, rollout.StatusReason));
        // The step's clock started when the controller moved the release, not at some older time.
        Assert.InRange(rollout.StepStartedAt, looked, clock.GetUtcNow());
    }

    [Fact]
    public async Task An_index_member_with_no_active_rollout_behind_it_is_dropped_at_the_next_look()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        var store = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var rollouts = gateway.GetRequiredService<RolloutStore>();
        // The rollout is gone from the store (a writer died between an ended rollout's write and its removal, or a
        // hand-deleted key), its index member left behind.
        Assert.True(await store.Database.KeyDeleteAsync(store.Keys.Rollout(name, PromptSetup.Environment)));
        Assert.Contains((name, PromptSetup.Environment), await rollouts.ListActiveAsync());

        Assert.Null(await LookAsync(gateway, name));

        Assert.DoesNotContain((name, PromptSetup.Environment), await rollouts.ListActiveAsync());
    }

    [Fact]
    public async Task An_operator_who_skipped_past_the_controllers_step_before_its_record_keeps_the_later_step()
    {
        const string ThreeSteps = """
            {"steps":[{"shadow":true,"share":1,"min_duration":"1m","min_samples":30},{"weight":10,"min_duration":"1m","min_samples":30},{"weight":50,"min_duration":"1m","min_samples":30},{"weight":80,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"refusal","threshold":0.1},{"metric":"error","threshold":0.1}]}
            """;
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", ThreeSteps);
        await using var _ = gateway;
        await ShadowTrafficAsync(gateway, clock, name, 120);
        var controller = gateway.GetRequiredService<RolloutController>();
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        // After the controller's release change (to 10%), before its rollout write: two skip-steps. The first finds the
        // release already at 10% and records it; the second moves the release to 50% and records that.
        controller.AfterReleaseChange = async () =>
        {
            controller.AfterReleaseChange = static () => Task.CompletedTask;
            (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}")).Expect(HttpStatusCode.OK);
            (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}")).Expect(HttpStatusCode.OK);
        };

        await LookAsync(gateway, name);

        // The rollout shows the step its users get, not the controller's older one.
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("running", 2), (rollout.Status, rollout.Step));
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(5000, release.GetProperty("canary_weight").GetInt32());
    }

    [Fact]
    public async Task A_rollout_an_operator_restarted_between_the_controllers_step_and_its_record_is_not_given_the_old_ones_step()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        await ShadowTrafficAsync(gateway, clock, name, 120);
        var controller = gateway.GetRequiredService<RolloutController>();
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        // After the controller's release change, before its rollout write: the operator aborts, then starts the same version again.
        controller.AfterReleaseChange = async () =>
        {
            (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"redo"}""")).Expect(HttpStatusCode.OK);
            (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{ShadowPlan}}}""")).Expect(HttpStatusCode.Created);
        };
        var first = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!.StartedAt;

        await LookAsync(gateway, name);

        // The new rollout stays at its own first step, as its release does.
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.True(rollout.StartedAt > first, "the rollout read is the restarted one");
        Assert.Equal(("running", 0), (rollout.Status, rollout.Step));
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((2, 0), (release.GetProperty("canary").GetInt32(), release.GetProperty("canary_weight").GetInt32()));
    }

    [Theory]
    // The dead leader's claim said advance: its own step, caught up (never paused).
    [InlineData("advance", "caught-up", "running", 1)]
    // The last word was an abort: a release at the next step under the controller's name is not this rollout's advance
    // (announcing one would contradict the evidence), so the step pauses for a human.
    [InlineData("abort", "pause", "paused", 0)]
    public async Task A_leader_that_left_the_shadow_step_in_the_release_but_not_in_the_rollout_is_caught_up_only_after_a_claimed_advance(
        string claimed, string decision, string status, int step)
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        await DeadLeaderStepAsync(gateway, name, claimed);

        Assert.Equal(decision, await LookAsync(gateway, name));

        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((status, step), (rollout.Status, rollout.Step));
    }

    [Fact]
    public async Task A_sampling_edit_after_a_dead_leaders_step_does_not_defeat_the_catch_up()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        var moved = await DeadLeaderStepAsync(gateway, name, "advance");
        // An operator raises the canary's sampling while the rollout waits for samples: a release change by someone else,
        // but not of the traffic.
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PutAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling", """{"sampling":{"canary":1}}""")).Expect(HttpStatusCode.OK);

        Assert.Equal("caught-up", await LookAsync(gateway, name));

        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("running", 1, moved.UpdatedAt), (rollout.Status, rollout.Step, (DateTimeOffset?)rollout.StepStartedAt));
    }

    [Fact]
    public async Task An_operators_abort_seen_by_the_controller_before_its_rollout_write_keeps_the_operators_reason()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        // The controller looks between the abort's release change and its rollout write.
        gateway.GetRequiredService<RolloutService>().AfterManualReleaseChange = async () => await LookAsync(gateway, name);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var aborted = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"tone is off"}""")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal(("aborted", "tone is off"), (aborted.GetProperty("status").GetString(), aborted.GetProperty("status_reason").GetString()));
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("aborted", "tone is off"), (rollout.Status, rollout.StatusReason));
    }

    [Fact]
    public async Task A_look_between_an_operators_skip_step_and_its_rollout_write_leaves_it_to_that_write()
    {
        // The look used to pause the rollout and announce "skip-step again" while the operator's write landed: whoever
        // followed the notification skipped the next step too, unjudged.
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        string? seen = "not looked";
        gateway.GetRequiredService<RolloutService>().AfterManualReleaseChange = async () => seen = await LookAsync(gateway, name);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var skipped = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", """{"reason":"enough"}""")).Expect(HttpStatusCode.OK).Json;

        Assert.Null(seen);
        Assert.Equal(("running", 1), (skipped.GetProperty("status").GetString(), skipped.GetProperty("step").GetInt32()));
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("running", 1), (rollout.Status, rollout.Step));
    }

    [Fact]
    public async Task A_pause_the_controller_writes_between_an_operators_skip_step_and_its_rollout_write_is_kept()
    {
        // The skip's write was retried on the fresh rollout with the status it had read (running): the controller's
        // pause and its reason were erased, and the rollout ran on at the next step's weight.
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();
        gateway.GetRequiredService<RolloutService>().AfterManualReleaseChange = async () =>
        {
            var current = (await store.GetAsync(name, PromptSetup.Environment))!;
            Assert.True(await store.TryWriteAsync(current with { Status = RolloutStatuses.Paused, StatusReason = "latency_ms is worse than its threshold" }, current.Revision, fencingToken: null));
        };
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var skipped = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", """{"reason":"enough"}""")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal(("paused", 1), (skipped.GetProperty("status").GetString(), skipped.GetProperty("step").GetInt32()));
        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Paused, "latency_ms is worse than its threshold", 1), (rollout.Status, rollout.StatusReason, rollout.Step));
    }

    [Fact]
    public async Task A_skip_step_does_not_write_its_step_over_a_rollout_the_controller_ended_meanwhile()
    {
        // Keeping the status it finds (a pause) must not keep an end: a skip-step retried on a rollout ended as removed
        // outside it wrote the next step's weight onto the ended rollout and announced it.
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();
        gateway.GetRequiredService<RolloutService>().AfterManualReleaseChange = async () =>
        {
            var current = (await store.GetAsync(name, PromptSetup.Environment))!;
            Assert.True(await store.TryWriteAsync(current with { Status = RolloutStatuses.Aborted, StatusReason = RolloutController.RemovedOutside }, current.Revision, fencingToken: null));
        };
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var skipped = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", """{"reason":"enough"}""");

        Assert.Equal("rollout_moved", skipped.Expect(HttpStatusCode.Conflict).ErrorCode);
        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Aborted, 0), (rollout.Status, rollout.Step));
    }

    [Fact]
    public async Task A_look_between_an_operators_abort_and_its_rollout_write_records_nothing_and_a_release_abort_is_followed_after_the_grace()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        string? seen = "not looked";
        gateway.GetRequiredService<RolloutService>().AfterManualReleaseChange = async () => seen = await LookAsync(gateway, name);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        // Through the rollout: the look between its two writes leaves it to the operator's (one record, one notification).
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"tone is off"}""")).Expect(HttpStatusCode.OK);
        Assert.Null(seen);

        // Through the release alone: no rollout write follows, so the controller records it once the grace has passed.
        var other = await StartRolloutAsync(gateway, "v2 for {{ company }}");
        (await operatorClient.ReleaseAsync(other, PromptSetup.Environment, "abort", """{"reason":"by hand"}""")).Expect(HttpStatusCode.OK);
        Assert.Null(await LookAsync(gateway, other));
        clock.Advance(RolloutController.ManualWriteGrace);
        Assert.Equal("abort", await LookAsync(gateway, other));
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(other, PromptSetup.Environment))!;
        Assert.Equal(("aborted", RolloutController.RemovedOutside), (rollout.Status, rollout.StatusReason));
    }

    [Fact]
    public async Task An_operators_last_skip_step_seen_by_the_controller_before_its_rollout_write_is_a_promotion_not_a_conflict()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}")).Expect(HttpStatusCode.OK);
        gateway.GetRequiredService<RolloutService>().AfterManualReleaseChange = async () => await LookAsync(gateway, name);

        var promoted = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", """{"reason":"looks good"}""")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal(("promoted", "looks good"), (promoted.GetProperty("status").GetString(), promoted.GetProperty("status_reason").GetString()));
    }

    [Fact]
    public async Task A_paused_rollout_is_caught_up_with_its_dead_leaders_advance_and_stays_paused_on_its_own_clock()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        // The dead leader's claim and release change (the first weight step); then an operator pauses, and later resumes.
        await DeadLeaderStepAsync(gateway, name, "advance");
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"lunch"}""")).Expect(HttpStatusCode.OK);

        // Paused: caught up to the step its users get, the operator's pause kept.
        Assert.Equal("caught-up", await LookAsync(gateway, name));
        var store = gateway.GetRequiredService<RolloutStore>();
        var paused = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("paused", 1, "lunch"), (paused.Status, paused.Step, paused.StatusReason));

    }

    [Fact]
    public async Task A_catch_up_after_a_resume_keeps_the_resumed_steps_clock()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        await DeadLeaderStepAsync(gateway, name, "advance");
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        clock.Advance(TimeSpan.FromMinutes(3));
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", "{}")).Expect(HttpStatusCode.OK);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/resume", "{}")).Expect(HttpStatusCode.OK);
        var store = gateway.GetRequiredService<RolloutStore>();
        var resumedAt = (await store.GetAsync(name, PromptSetup.Environment))!.StepStartedAt;

        Assert.Equal("caught-up", await LookAsync(gateway, name));

        // The step is judged from the resume, not from the release's older time (evidence gathered while paused).
        var running = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("running", 1), (running.Status, running.Step));
        Assert.Equal(resumedAt, running.StepStartedAt);
    }

    [Fact]
    public async Task A_leader_whose_lease_lapsed_cannot_change_the_release_under_the_one_that_took_over()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        var releases = gateway.GetRequiredService<LlmGateway.Releases.ReleaseService>();
        var lease = new RolloutLease(gateway.GetRequiredService<GatewayStore>(), "new-leader");
        var token = await lease.TryHoldAsync(name, PromptSetup.Environment, TimeSpan.FromMinutes(5));
        var rolloutRevision = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!.Revision;
        LlmGateway.Releases.ReleaseChange Step(long fencingToken) =>
            new("canary-start", 2, 5000, "rollout step 2/2 (50%)", null, null, RolloutRevision: rolloutRevision, FencingToken: fencingToken);

        var (_, byOldLeader) = await releases.ApplyAsync(name, PromptSetup.Environment, Step(token - 1), RolloutController.Actor, Ct);
        var (changed, byLeader) = await releases.ApplyAsync(name, PromptSetup.Environment, Step(token), RolloutController.Actor, Ct);

        Assert.Equal("revision_conflict", byOldLeader?.Code);
        Assert.Null(byLeader);
        Assert.Equal(5000, changed!.CanaryWeight);
    }

    /// <summary>
    /// A leader that died mid-step: its claim (the evaluation, written before it acts), then its release change to the
    /// first weight step (shadow share cleared); its rollout write never happened. Returns the release as changed.
    /// </summary>
    private static async Task<LlmGateway.Contracts.Releases.ReleaseRecord> DeadLeaderStepAsync(GatewayHost gateway, string name, string claimed)
    {
        await ClaimAsync(gateway, name, claimed);
        var (moved, refusal) = await gateway.GetRequiredService<LlmGateway.Releases.ReleaseService>().ApplyAsync(name, PromptSetup.Environment,
            new LlmGateway.Releases.ReleaseChange("canary-start", 2, 5000, "rollout step 2/2 (50%)", null, null), RolloutController.Actor, Ct);
        Assert.Null(refusal);
        return moved!;
    }

    /// <summary>A leader's claim: its evaluation, written before it acts.</summary>
    private static async Task ClaimAsync(GatewayHost gateway, string name, string decision)
    {
        var store = gateway.GetRequiredService<RolloutStore>();
        var view = (await store.GetAsync(name, PromptSetup.Environment))!;
        var evaluation = new LlmGateway.Contracts.Rollouts.RolloutEvaluation { At = view.StepStartedAt, Decision = decision, Reason = "its reason" };
        Assert.True(await store.TryWriteAsync(view with { LastEvaluation = evaluation }, view.Revision, fencingToken: 1));
    }

    [Fact]
    public async Task A_leader_that_aborted_and_died_before_recording_it_is_caught_up_as_its_own_abort_with_its_reason()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ShadowPlan);
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();
        var view = (await store.GetAsync(name, PromptSetup.Environment))!;
        // The dead leader's claim (its evaluation, written before it acted), then its release change; no record after.
        var evaluation = new LlmGateway.Contracts.Rollouts.RolloutEvaluation { At = view.StepStartedAt, Decision = "abort", Reason = "refusal is worse than its threshold" };
        Assert.True(await store.TryWriteAsync(view with { LastEvaluation = evaluation }, view.Revision, fencingToken: 1));
        var (_, refusal) = await gateway.GetRequiredService<LlmGateway.Releases.ReleaseService>().ApplyAsync(name, PromptSetup.Environment,
            new LlmGateway.Releases.ReleaseChange("abort", null, null, "refusal is worse than its threshold", null, null), RolloutController.Actor, Ct);
        Assert.Null(refusal);

        Assert.Equal("abort", await LookAsync(gateway, name));

        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("aborted", "refusal is worse than its threshold"), (rollout.Status, rollout.StatusReason));
    }

    [Fact]
    public async Task An_operators_weight_equal_to_a_later_step_pauses_the_rollout_and_skips_nothing()
    {
        const string ThreeSteps = """
            {"steps":[{"weight":10,"min_duration":"1m","min_samples":30},{"weight":20,"min_duration":"1m","min_samples":30},{"weight":30,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"error","threshold":0.1}]}
            """;
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}", ThreeSteps);
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "canary", """{"version":2,"weight":3000}""")).Expect(HttpStatusCode.OK);

        Assert.Equal("pause", await LookAsync(gateway, name));

        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("paused", 0), (rollout.Status, rollout.Step));
        Assert.Contains("outside the rollout", rollout.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_harmful_canary_whose_weight_an_operator_set_outside_the_plan_is_paused_then_still_aborted()
    {
        // Paused on the operator's weight, every later look returned before judging: a canary refusing half its
        // answers kept 70% of users until a human came back.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]");
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "canary", """{"version":2,"weight":7000}""")).Expect(HttpStatusCode.OK);
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(gateway.GetRequiredService<ReleaseSnapshotProvider>().Current.TryGet(name, PromptSetup.Environment, out var r) && r.Record.CanaryWeight == 7000),
            TimeSpan.FromSeconds(10)));
        // Past the grace a release change by hand is given for its author's own rollout write.
        clock.Advance(RolloutController.ManualWriteGrace + TimeSpan.FromSeconds(1));
        Assert.Equal("pause", await LookAsync(gateway, name));
        var store = gateway.GetRequiredService<RolloutStore>();
        var paused = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Contains("outside the rollout", paused.StatusReason, StringComparison.Ordinal);

        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("abort", await LookAsync(gateway, name));

        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(RolloutStatuses.Aborted, rollout.Status);
        Assert.Contains("refusal", rollout.StatusReason, StringComparison.Ordinal);
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((JsonValueKind.Null, 0), (release.GetProperty("canary").ValueKind, release.GetProperty("canary_weight").GetInt32()));
        var abort = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Last();
        Assert.Equal(("abort", RolloutController.Actor), (abort.GetProperty("action").GetString(), abort.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task A_passing_canary_whose_weight_an_operator_set_outside_the_plan_stays_paused_and_untouched()
    {
        // The abort guard judges the paused off-plan weight; nothing else may move it, nor announce the pause again.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "canary", """{"version":2,"weight":7000}""")).Expect(HttpStatusCode.OK);
        clock.Advance(RolloutController.ManualWriteGrace + TimeSpan.FromSeconds(1));
        Assert.Equal("pause", await LookAsync(gateway, name));
        var store = gateway.GetRequiredService<RolloutStore>();
        var paused = (await store.GetAsync(name, PromptSetup.Environment))!;

        await TrafficAsync(gateway, clock, name, 480);
        Assert.Null(await LookAsync(gateway, name));

        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Paused, paused.StatusReason, paused.Revision, 0), (rollout.Status, rollout.StatusReason, rollout.Revision, rollout.Step));
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(7000, release.GetProperty("canary_weight").GetInt32());
    }

    [Fact]
    public async Task A_harmful_canary_whose_stored_plan_no_longer_validates_is_paused_then_still_aborted_on_a_built_in_metric()
    {
        // Paused because a bundle metric stopped reading, every later look returned before judging: even the error and
        // refusal counters, which need no version's online_eval, could no longer abort it.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]");
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();
        var view = (await store.GetAsync(name, PromptSetup.Environment))!;
        var unreadable = view.Plan with
        {
            Metrics = [new LlmGateway.Contracts.Rollouts.RolloutMetricSpec { Metric = "answered", Threshold = 0.05 }, .. view.Plan.Metrics!],
        };
        Assert.True(await store.TryWriteAsync(view with { Plan = unreadable }, view.Revision, fencingToken: null));
        Assert.Equal("pause", await LookAsync(gateway, name));
        Assert.Contains("cannot be judged", (await store.GetAsync(name, PromptSetup.Environment))!.StatusReason, StringComparison.Ordinal);

        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("abort", await LookAsync(gateway, name));

        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(RolloutStatuses.Aborted, rollout.Status);
        Assert.Contains("refusal", rollout.StatusReason, StringComparison.Ordinal);
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((JsonValueKind.Null, 0), (release.GetProperty("canary").ValueKind, release.GetProperty("canary_weight").GetInt32()));
    }

    [Fact]
    public async Task A_step_that_saw_no_samples_by_its_maximum_duration_pauses_even_when_told_to_continue()
    {
        const string Continue = """
            {"steps":[{"weight":50,"min_duration":"1m","min_samples":30,"max_duration":"2m"},{"weight":60,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"error","threshold":0.1}],"on_inconclusive":"continue"}
            """;
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", Continue);
        await using var _ = gateway;

        // No traffic at all (sampling off, or no evaluator): the step only runs out of time.
        clock.Advance(TimeSpan.FromMinutes(3));
        var decision = await LookAsync(gateway, name);

        Assert.Equal("pause", decision);
        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(("paused", 0), (rollout.Status, rollout.Step));
        Assert.Contains("0 of the 30 samples per arm", rollout.StatusReason, StringComparison.Ordinal);
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        Assert.Equal(5000, (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json.GetProperty("canary_weight").GetInt32());
    }

    [Fact]
    public async Task A_rollout_the_controller_paused_for_want_of_samples_is_still_judged_and_aborted_once_its_canary_shows_harm()
    {
        // It used to be judged no more: the canary kept its 50% with no abort, and status showed the pause's evaluation.
        const string Continue = """
            {"steps":[{"weight":50,"min_duration":"1m","min_samples":30,"max_duration":"2m"},{"weight":60,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"refusal","threshold":0.1},{"metric":"error","threshold":0.1}],"on_inconclusive":"continue"}
            """;
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]", Continue);
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();

        // No samples by the step's maximum duration (the evaluator down): paused, the canary still at 50%.
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal("pause", await LookAsync(gateway, name));
        var paused = (await store.GetAsync(name, PromptSetup.Environment))!;

        // The next look writes its own evaluation and holds the pause, its reason kept.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("held", await LookAsync(gateway, name));
        var held = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Paused, paused.StatusReason, "pause"), (held.Status, held.StatusReason, held.LastEvaluation!.Decision));
        Assert.True(held.LastEvaluation.At > paused.LastEvaluation!.At, "the evaluation moves while paused");

        // The evaluator is back, and the canary refuses half its answers: aborted at the next look, paused or not.
        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("abort", await LookAsync(gateway, name));

        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var rollout = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("aborted", rollout.GetProperty("status").GetString());
        Assert.Contains("refusal", rollout.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
        var release = (await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(JsonValueKind.Null, release.GetProperty("canary").ValueKind);
        var abort = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Last();
        Assert.Equal(("abort", RolloutController.Actor), (abort.GetProperty("action").GetString(), abort.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task An_operators_pause_holds_a_passing_canary_where_it_is_while_its_evaluation_stays_current()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"waiting for legal"}""")).Expect(HttpStatusCode.OK);

        // Evidence enough to advance: judged, but a pause only ever ends in an abort or by a human.
        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("held", await LookAsync(gateway, name));

        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((RolloutStatuses.Paused, "waiting for legal", 0), (rollout.Status, rollout.StatusReason, rollout.Step));
        Assert.Equal(("pause", "held by the pause: every metric is within its threshold"), (rollout.LastEvaluation!.Decision, rollout.LastEvaluation.Reason));
        Assert.All(rollout.LastEvaluation.Metrics, m => Assert.True(m.Canary.Count >= 30));
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(5000, release.GetProperty("canary_weight").GetInt32());
        var pause = Assert.Single(rollout.Pauses);
        Assert.Equal(("olga", "waiting for legal", 0), (pause.By, pause.Reason, pause.Step));
    }

    [Fact]
    public async Task A_resume_keeps_the_steps_readings_and_restarts_only_its_clock()
    {
        // A resume used to start the step's window again: every pause and resume of an inconclusive step opened a new
        // confidence sequence at the full α. The sequence is valid at every look, so it carries on; the minimum
        // duration still counts from the resume.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        var store = gateway.GetRequiredService<RolloutStore>();
        var started = (await store.GetAsync(name, PromptSetup.Environment))!.StepStartedAt;
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"waiting for legal"}""")).Expect(HttpStatusCode.OK);
        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("held", await LookAsync(gateway, name));
        var held = (await store.GetAsync(name, PromptSetup.Environment))!.LastEvaluation!.Metrics.ToDictionary(m => m.Metric, m => (m.Stable.Count, m.Canary.Count));

        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/resume", "{}")).Expect(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("continue", await LookAsync(gateway, name));

        var resumed = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.All(held.Values, counts => Assert.True(counts.Item2 >= 30, $"{counts}"));
        Assert.All(resumed.LastEvaluation!.Metrics, m => Assert.Equal(held[m.Metric], (m.Stable.Count, m.Canary.Count)));
        Assert.Equal((DateTimeOffset?)started, resumed.WindowStartedAt);
        Assert.True(resumed.StepStartedAt > started);

        // The readings from before the resume suffice once the minimum duration has passed again; the next step's
        // window is its own.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("advance", await LookAsync(gateway, name));
        var advanced = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal((1, (DateTimeOffset?)null), (advanced.Step, advanced.WindowStartedAt));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("continue", await LookAsync(gateway, name));
        Assert.All((await store.GetAsync(name, PromptSetup.Environment))!.LastEvaluation!.Metrics, m => Assert.Equal(0, m.Canary.Count));
    }

    [Fact]
    public async Task A_controller_pause_keeps_its_evidence_on_the_rollout_after_a_resume_and_later_looks()
    {
        // A pause is no activation event (it changes nothing users get), and the looks after it overwrite the last
        // evaluation: its evidence used to survive only in a webhook's body.
        const string PauseOnly = """
            {"steps":[{"weight":50,"min_duration":"1m","min_samples":30},{"weight":60,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"refusal","threshold":0.1,"abort":false},{"metric":"error","threshold":0.1}]}
            """;
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }} [[mock:refuse=0.5]]", PauseOnly);
        await using var _ = gateway;
        await TrafficAsync(gateway, clock, name, 480);
        Assert.Equal("pause", await LookAsync(gateway, name));
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/resume", """{"reason":"known, accepted"}""")).Expect(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromSeconds(10));
        // A resume keeps the step's readings: the established harm stands, and the next look pauses again on it.
        Assert.Equal("pause", await LookAsync(gateway, name));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("held", await LookAsync(gateway, name));

        var rollout = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.StartsWith("held by the pause", rollout.GetProperty("last_evaluation").GetProperty("reason").GetString(), StringComparison.Ordinal);
        var pauses = rollout.GetProperty("pauses").EnumerateArray().ToArray();
        Assert.Equal(2, pauses.Length);
        var pause = pauses[0];
        Assert.Equal((RolloutController.Actor, 0), (pause.GetProperty("by").GetString(), pause.GetProperty("step").GetInt32()));
        Assert.Contains("refusal", pause.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var evidence = pause.GetProperty("evaluation");
        Assert.Equal("pause", evidence.GetProperty("decision").GetString());
        var refusal = evidence.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "refusal");
        Assert.Equal("harmful", refusal.GetProperty("verdict").GetString());
        Assert.True(refusal.GetProperty("canary").GetProperty("count").GetInt64() >= 30);

        // Still no activation event: the history holds only what changed what users get.
        var history = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToArray();
        Assert.Equal(["release-set", "canary-start"], history);
    }

    [Fact]
    public async Task A_promotion_the_protected_release_refuses_is_recorded_and_announced_as_a_pause_with_its_evidence_relabelled()
    {
        // The claim wrote "promote" before the release refused it (a failing eval run recorded since the canary started):
        // the webhook said "paused" (no controller decision a receiver pages on), and the rollout, paused, kept "promote"
        // as its last evaluation and as the evaluation its pause was taken on.
        await using var receiver = await Notifications.WebhookReceiver.StartAsync();
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true, s =>
        {
            s["Gateway:Rollouts:Enabled"] = "false";
            s["Gateway:Rollouts:SettleSeconds"] = "0";
            s["Gateway:Releases:ProtectedEnvironments:0"] = PromptSetup.Environment;
            s["Gateway:Rollouts:Webhooks:staging:Url"] = receiver.Url.ToString();
        });
        await using var _ = gateway;
        var name = "rollout-gate-" + Guid.NewGuid().ToString("N")[..8];
        using var author = new AdminClient(gateway, TestEnvironment.AuthorToken);
        using var approver = new AdminClient(gateway, TestEnvironment.ApproverToken);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await author.PushAsync(Bundle(name, "v1 for {{ company }}"))).Expect(HttpStatusCode.Created);
        (await author.PushAsync(Bundle(name, "v2 for {{ company }}", extra: ""","eval":{"gate_required":true}"""))).Expect(HttpStatusCode.Created);
        (await approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        (await approver.PostAsync($"/admin/v1/prompts/{name}/versions/2/approve")).Expect(HttpStatusCode.OK);
        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        (await author.PostAsync($"/admin/v1/prompts/{name}/evals", EvalRun("pass"))).Expect(HttpStatusCode.Created);
        const string OneStep = """
            {"steps":[{"weight":50,"min_duration":"1m","min_samples":30}],
             "metrics":[{"metric":"refusal","threshold":0.1},{"metric":"error","threshold":0.1}]}
            """;
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{OneStep}}}""")).Expect(HttpStatusCode.Created);
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(gateway.GetRequiredService<ReleaseSnapshotProvider>().Current.TryGet(name, PromptSetup.Environment, out var r) && r.Record.Canary == 2),
            TimeSpan.FromSeconds(10)));
        await TrafficAsync(gateway, clock, name, 480);
        // The newest run decides: the promotion is refused (eval_gate_required) once the controller has decided on it.
        (await author.PostAsync($"/admin/v1/prompts/{name}/evals", EvalRun("fail"))).Expect(HttpStatusCode.Created);

        Assert.Equal("pause", await LookAsync(gateway, name));

        var rollout = (await gateway.GetRequiredService<RolloutStore>().GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal(RolloutStatuses.Paused, rollout.Status);
        Assert.Contains("the release refused the step", rollout.StatusReason, StringComparison.Ordinal);
        Assert.Equal(("pause", rollout.StatusReason), (rollout.LastEvaluation!.Decision, rollout.LastEvaluation.Reason));
        Assert.All(rollout.LastEvaluation.Metrics, m => Assert.True(m.Canary.Count >= 30, "the readings it was refused on are kept"));
        Assert.Equal("pause", Assert.Single(rollout.Pauses).Evaluation!.Decision);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Count >= 2), TimeSpan.FromSeconds(30)), $"{receiver.Requests.Count} webhook posts");
        var post = JsonDocument.Parse(receiver.Requests[^1].Body).RootElement;
        Assert.Equal(("pause", "paused", "pause"), (post.GetProperty("decision").GetString(), post.GetProperty("status").GetString(),
            post.GetProperty("evaluation").GetProperty("decision").GetString()));
        Assert.Equal(5000, (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json.GetProperty("canary_weight").GetInt32());
    }

    /// <summary>A complete evaluation run of v2 against v1, as <c>gatewayctl eval run</c> records it.</summary>
    private static string EvalRun(string verdict) => $$"""
        {"calls":{"baseline":{"total":40,"failed":0},"candidate":{"total":40,"failed":0},"max_error_rate":0.02},
         "candidate":{"version":2},"baseline":{"version":1,"environment":"staging"},
         "datasets":[{"id":"golden.jsonl","sha256":"{{new string('a', 64)}}"}],
         "metrics":[{"name":"pass_rate","baseline":0.9,"candidate":0.8,"delta":-0.1,"ci_low":-0.15,"ci_high":-0.05,
                     "verdict":"{{(verdict == "pass" ? "unchanged" : "regressed")}}","n":40,"gated":true}],
         "verdict":"{{verdict}}"}
        """;

    [Fact]
    public async Task A_stored_plan_that_no_longer_validates_pauses_the_rollout_for_a_human_instead_of_going_unjudged()
    {
        var (gateway, _, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        var store = gateway.GetRequiredService<RolloutStore>();
        var view = (await store.GetAsync(name, PromptSetup.Environment))!;
        // As if a bundle metric the plan judges stopped reading (its judge model left the catalog): a metric no version defines.
        var unreadable = view.Plan with { Metrics = [new LlmGateway.Contracts.Rollouts.RolloutMetricSpec { Metric = "answered", Threshold = 0.05 }] };
        Assert.True(await store.TryWriteAsync(view with { Plan = unreadable }, view.Revision, fencingToken: null));

        var decision = await LookAsync(gateway, name);

        Assert.Equal("pause", decision);
        var rollout = (await store.GetAsync(name, PromptSetup.Environment))!;
        Assert.Equal("paused", rollout.Status);
        Assert.Contains("cannot be judged", rollout.StatusReason, StringComparison.Ordinal);
        Assert.Contains("answered", rollout.StatusReason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Once the release's shadow share has reached the routing snapshot: requests in the step's first whole minute,
    /// then waits until every copy's pair is scored. Returns, per client response, "version|variant".
    /// </summary>
    private static async Task<List<string>> ShadowTrafficAsync(GatewayHost gateway, ShiftedTimeProvider clock, string name, int requests, Func<int, bool>? withTier = null)
    {
        var snapshots = gateway.GetRequiredService<LlmGateway.Releases.ReleaseSnapshotProvider>();
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(snapshots.Current.TryGet(name, PromptSetup.Environment, out var release) && release.Record.ShadowShare == 10_000),
            TimeSpan.FromSeconds(10)));

        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var minute = clock.GetUtcNow();
        var chat = OpenAiClients.For(gateway, await PromptSetup.KeyAsync(gateway)).GetChatClient("prompt:" + name);
        var served = new List<string>(requests);
        for (var i = 0; i < requests; i++)
        {
            var options = new ChatCompletionOptions { EndUserId = Guid.NewGuid().ToString("N") };
            options.Patch.Set("$.prompt_variables.company"u8, "Acme");
            if (withTier?.Invoke(i) == true)
            {
                options.Patch.Set("$.prompt_variables.tier"u8, "gold");
            }

            var answer = await chat.CompleteChatAsync([new UserChatMessage($"Question {Guid.NewGuid():N}: where is my parcel?")], options, Ct);
            var headers = answer.GetRawResponse().Headers;
            served.Add($"{(headers.TryGetValue("X-Prompt-Version", out var version) ? version : "?")}|{(headers.TryGetValue("X-Prompt-Variant", out var variant) ? variant : "?")}");
        }

        var readings = gateway.GetRequiredService<RolloutReadings>();
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                // Through the minute after the clock's present (the reading's end is exclusive, in whole minutes): on a
                // slow machine the traffic may run into the next minute, which the controller reads as well.
                var pairs = await readings.ReadPairedAsync(name, PromptSetup.Environment, 2, ["error"], minute.AddSeconds(-2), clock.GetUtcNow().AddMinutes(1));
                return pairs["error"].Differences.Count == requests;
            },
            TimeSpan.FromSeconds(60)), await PairDiagnosticsAsync(gateway, readings, name, minute));
        clock.Advance(TimeSpan.FromMinutes(1));
        return served;
    }

    private static async Task<string> PairDiagnosticsAsync(GatewayHost gateway, RolloutReadings readings, string name, DateTimeOffset minute)
    {
        var pairs = await readings.ReadPairedAsync(name, PromptSetup.Environment, 2, ["error"], minute.AddSeconds(-2), minute.AddMinutes(3));
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var samples = (await viewer.GetAsync($"/admin/v1/samples?prompt={name}&limit=500")).Text;
        return $"pairs: {pairs["error"].Differences.Count}; shadow samples: {samples.Split("\"variant\":\"shadow\"").Length - 1}; stable samples: {samples.Split("\"variant\":\"stable\"").Length - 1}; paired_with: {samples.Split("paired_with").Length - 1}";
    }

    private async Task<(GatewayHost Gateway, ShiftedTimeProvider Clock, string Name)> StartAsync(string candidateSystem, string plan = Plan, string candidateVariables = CompanyVariable, int settleSeconds = 0)
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true, s =>
        {
            s["Gateway:Rollouts:Enabled"] = "false";
            // The helpers move the clock past the traffic's minute once every sample is scored: read it from then on.
            s["Gateway:Rollouts:SettleSeconds"] = settleSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        return (gateway, clock, await StartRolloutAsync(gateway, candidateSystem, plan, candidateVariables));
    }

    /// <summary>A prompt released with v1 and a rollout of v2 started on <paramref name="gateway"/>.</summary>
    private static async Task<string> StartRolloutAsync(GatewayHost gateway, string candidateSystem, string plan = Plan, string candidateVariables = CompanyVariable)
    {
        var name = "rollout-ctl-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [Bundle(name, "v1 for {{ company }}"), Bundle(name, candidateSystem, candidateVariables)]);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{plan}}}""")).Expect(HttpStatusCode.Created);
        return name;
    }

    /// <summary>
    /// One look, as the controller service makes it: under the rollout's lease, with the token it holds (the release
    /// refuses a controller's change without it).
    /// </summary>
    internal static async Task<string?> LookAsync(GatewayHost gateway, string name)
    {
        var token = await new RolloutLease(gateway.GetRequiredService<GatewayStore>(), "test-leader").TryHoldAsync(name, PromptSetup.Environment, TimeSpan.FromMinutes(5));
        Assert.True(token > 0, "another holder has the rollout's lease");
        return await gateway.GetRequiredService<RolloutController>().EvaluateAsync(name, PromptSetup.Environment, token, Ct);
    }

    /// <summary>A step's worth of traffic in the step's first whole minute, scored, then the step's minimum duration passed.</summary>
    private static async Task TrafficAsync(GatewayHost gateway, ShiftedTimeProvider clock, string name, int requests)
    {
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var chat = OpenAiClients.For(gateway, await PromptSetup.KeyAsync(gateway)).GetChatClient("prompt:" + name);
        for (var i = 0; i < requests; i++)
        {
            var options = new ChatCompletionOptions { EndUserId = Guid.NewGuid().ToString("N") };
            options.Patch.Set("$.prompt_variables.company"u8, "Acme");
            await chat.CompleteChatAsync([new UserChatMessage($"Question {Guid.NewGuid():N}: where is my parcel?")], options, Ct);
        }

        // Every request is sampled: wait until the evaluator has scored this minute's all.
        var query = gateway.GetRequiredService<LlmGateway.Behaviour.BehaviourQuery>();
        var minute = clock.GetUtcNow();
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                var read = await query.ReadAsync(new LlmGateway.Behaviour.BehaviourRequest(name, PromptSetup.Environment,
                    new HashSet<string>(StringComparer.Ordinal) { "error" }, false, false, minute.AddSeconds(-2), minute.AddSeconds(58), 60));
                return read.Series.Count == 1 && read.Series[0].Total.Count == requests;
            },
            TimeSpan.FromSeconds(60)));
        clock.Advance(TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Traffic like <see cref="TrafficAsync"/> from two applications that send neither X-Session-Id nor <c>user</c>: two
    /// keys the release's split puts one on each arm (found before any request is sent), their requests in turn.
    /// </summary>
    private static async Task KeyedTrafficAsync(GatewayHost gateway, ShiftedTimeProvider clock, string name, int requests)
    {
        var snapshots = gateway.GetRequiredService<LlmGateway.Releases.ReleaseSnapshotProvider>();
        LlmGateway.Contracts.Releases.ReleaseRecord? release = null;
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(snapshots.Current.TryGet(name, PromptSetup.Environment, out var served) && (release = served.Record).CanaryWeight > 0),
            TimeSpan.FromSeconds(10)));
        var keys = new Dictionary<bool, string>();
        for (var tries = 0; keys.Count < 2; tries++)
        {
            Assert.True(tries < 64, "no key landed on one of the arms");
            var (key, secret) = await gateway.GetRequiredService<LlmGateway.Auth.GatewayKeyStore>().CreateAsync("app-" + tries, PromptSetup.Environment, []);
            keys.TryAdd(LlmGateway.Routing.VariantSelector.IsCanary(release!.Salt, name, key.Id, release.CanaryWeight), secret);
        }

        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var clients = keys.ToDictionary(k => k.Key ? "canary" : "stable", k => gateway.CreateClient(k.Value), StringComparer.Ordinal);
        var sent = 0;
        try
        {
            while (sent < requests)
            {
                foreach (var (arm, client) in clients)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                    {
                        Content = new StringContent(
                            $$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"Question {{Guid.NewGuid():N}}: where is my parcel?"}]}""",
                            System.Text.Encoding.UTF8,
                            "application/json"),
                    };
                    using var response = await client.SendAsync(request, Ct);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal(arm, response.Headers.GetValues("X-Prompt-Variant").Single());
                    sent++;
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }

        var query = gateway.GetRequiredService<LlmGateway.Behaviour.BehaviourQuery>();
        var minute = clock.GetUtcNow();
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                var read = await query.ReadAsync(new LlmGateway.Behaviour.BehaviourRequest(name, PromptSetup.Environment,
                    new HashSet<string>(StringComparer.Ordinal) { "error" }, false, false, minute.AddSeconds(-2), minute.AddSeconds(58), 60));
                return read.Series.Count == 1 && read.Series[0].Total.Count == sent;
            },
            TimeSpan.FromSeconds(60)));
        clock.Advance(TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Traffic like <see cref="TrafficAsync"/>, but only every other request sends <c>tier</c>: a canary that requires it
    /// refuses the rest (400 <c>missing_variable</c>). Waits until every request, refused ones too, is scored; returns
    /// how many were refused.
    /// </summary>
    private static async Task<int> MixedTierTrafficAsync(GatewayHost gateway, ShiftedTimeProvider clock, string name, int requests)
    {
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        var refused = 0;
        for (var i = 0; i < requests; i++)
        {
            var tier = i % 2 == 0 ? ",\"tier\":\"gold\"" : "";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(
                    $$"""{"model":"prompt:{{name}}","user":"{{Guid.NewGuid():N}}","prompt_variables":{"company":"Acme"{{tier}}},"messages":[{"role":"user","content":"Question {{Guid.NewGuid():N}}: where is my parcel?"}]}""",
                    System.Text.Encoding.UTF8,
                    "application/json"),
            };
            using var response = await client.SendAsync(request, Ct);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                // Only v2 needs the tier: only the canary refuses.
                using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
                Assert.Equal("missing_variable", error.RootElement.GetProperty("error").GetProperty("code").GetString());
                refused++;
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var query = gateway.GetRequiredService<LlmGateway.Behaviour.BehaviourQuery>();
        var minute = clock.GetUtcNow();
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                var read = await query.ReadAsync(new LlmGateway.Behaviour.BehaviourRequest(name, PromptSetup.Environment,
                    new HashSet<string>(StringComparer.Ordinal) { "error" }, false, false, minute.AddSeconds(-2), minute.AddSeconds(58), 60));
                return read.Series.Count == 1 && read.Series[0].Total.Count == requests;
            },
            TimeSpan.FromSeconds(60)));
        clock.Advance(TimeSpan.FromMinutes(1));
        return refused;
    }

    private const string CompanyVariable = """{"name":"company","required":true}""";

    private const string TierVariables = """{"name":"company","required":true},{"name":"tier","required":true}""";

    private static string Bundle(string name, string system, string variables = CompanyVariable, string extra = "") => $$$"""
        {"name":"{{{name}}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"{{{system}}}"}],
         "variables":[{{{variables}}}]{{{extra}}}}
        """;
}
