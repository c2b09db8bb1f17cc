using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>Rollouts through the admin API on the real store: validation, start, manual control, and what the history records.</summary>
public sealed class RolloutApiTests(TestEnvironment env)
{
    private const string Plan = """
        {"steps":[{"weight":10,"min_duration":"1m","min_samples":5},{"weight":50,"min_duration":"1m","min_samples":5}],
         "metrics":[{"metric":"refusal","threshold":0.05},{"metric":"cost_usd","threshold":0.2,"relative":true}]}
        """;

    [Theory]
    [InlineData("""{"steps":[{"weight":0}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].weight")]
    [InlineData("""{"steps":[{"weight":50},{"weight":20}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[1].weight")]
    [InlineData("""{"steps":[{"weight":5,"min_duration":"soon"}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].min_duration")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"happiness","threshold":0.02}]}""", "plan.metrics[0].metric")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","threshold":-0.02}]}""", "plan.metrics[0].threshold")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","direction":"higher","threshold":0.02}]}""", "plan.metrics[0].direction")]
    [InlineData("""{"steps":[{"weight":5},{"shadow":true}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[1].shadow")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","threshold":0.02}],"on_inconclusive":"shrug"}""", "plan.on_inconclusive")]
    [InlineData("""{"steps":[{"weight":99.996}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].weight")]
    [InlineData("""{"steps":[{"weight":5,"min_duration":"2d"}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].min_duration")]
    [InlineData("""{"steps":[{"weight":5,"min_duration":"10s"}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].max_duration")]
    [InlineData("""{"steps":[{"weight":5,"min_duration":"30s","max_duration":"90s"}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].max_duration")]
    [InlineData("""{"steps":[{"shadow":true,"min_duration":"20s"},{"weight":5}],"metrics":[{"metric":"error","threshold":0.02}]}""", "plan.steps[0].max_duration")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","threshold":0.5,"relative":true}]}""", "plan.metrics[0].relative")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"cost_usd","threshold":1e200,"relative":true}]}""", "plan.metrics[0].threshold")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","threshold":0.02}],"sampling":{"stable":0}}""", "plan.sampling.stable")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","threshold":0.02}],"sampling":{"stable":-0.5}}""", "plan.sampling.stable")]
    [InlineData("""{"steps":[{"weight":5}],"metrics":[{"metric":"error","threshold":0.02}],"sampling":{"canary":1.5}}""", "plan.sampling.canary")]
    public async Task An_impossible_plan_is_refused_with_its_field_and_changes_nothing(string plan, string field)
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{plan}}}""")).Expect(HttpStatusCode.BadRequest);

        Assert.Equal(field, refused.Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("invalid_plan", refused.ErrorCode);
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(JsonValueKind.Null, release.GetProperty("canary").ValueKind);
        (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Start_pause_resume_skip_and_promote_move_the_release_and_leave_evidence_in_the_history()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);

        var started = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}},"reason":"ship v2"}""")).Expect(HttpStatusCode.Created).Json;
        Assert.Equal(("running", 0, 10.0, 2, 1), (started.GetProperty("status").GetString(), started.GetProperty("step").GetInt32(), started.GetProperty("weight").GetDouble(), started.GetProperty("candidate").GetInt32(), started.GetProperty("baseline").GetInt32()));
        Assert.Equal("olga", started.GetProperty("started_by").GetString());
        Assert.Equal(1000, Release(await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).GetProperty("canary_weight").GetInt32());
        Assert.Equal("rollout_in_progress", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", """{"version":2}""")).Expect(HttpStatusCode.Conflict).ErrorCode);
        // Resuming a running rollout would only restart its step's clock.
        Assert.Equal("rollout_not_paused", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/resume", "{}")).Expect(HttpStatusCode.Conflict).ErrorCode);

        Assert.Equal("paused", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"lunch"}""")).Expect(HttpStatusCode.OK).Json.GetProperty("status").GetString());
        Assert.Equal("lunch", (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json.GetProperty("status_reason").GetString());
        Assert.Equal("running", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/resume", "{}")).Expect(HttpStatusCode.OK).Json.GetProperty("status").GetString());

        var skipped = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", """{"reason":"looks fine"}""")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((1, 50.0), (skipped.GetProperty("step").GetInt32(), skipped.GetProperty("weight").GetDouble()));
        Assert.Equal(5000, Release(await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).GetProperty("canary_weight").GetInt32());

        var promoted = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("promoted", promoted.GetProperty("status").GetString());
        var release = Release(await viewer.GetAsync($"/admin/v1/prompts/{name}/releases/staging"));
        Assert.Equal((2, JsonValueKind.Null), (release.GetProperty("stable").GetInt32(), release.GetProperty("canary").ValueKind));
        Assert.Equal("rollout_ended", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", "{}")).Expect(HttpStatusCode.Conflict).ErrorCode);

        // Each step is an ordinary activation event, carrying where the rollout was and who decided.
        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        Assert.Equal(["release-set", "canary-start", "canary-weight", "promote"], history.Select(e => e.GetProperty("action").GetString()).ToArray());
        var start = history[1];
        Assert.StartsWith("rollout step 1/2 (10%): ship v2", start.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, start.GetProperty("evidence").GetProperty("rollout").GetProperty("candidate").GetInt32());
        Assert.Equal("olga", history[3].GetProperty("evidence").GetProperty("rollout").GetProperty("decided_by").GetString());
    }

    [Fact]
    public async Task A_skip_step_on_a_rollout_whose_release_already_serves_the_next_step_records_it_there_without_a_second_event()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        // The controller's step to 50% (or an earlier skip cut short), in the release, not yet in the rollout.
        await ChangeAsRolloutControllerAsync(name, 5000);

        var skipped = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal((1, 50.0), (skipped.GetProperty("step").GetInt32(), skipped.GetProperty("weight").GetDouble()));
        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        Assert.Single(history, e => e.GetProperty("action").GetString() == "canary-weight");
    }

    [Fact]
    public async Task A_skip_step_on_a_rollout_whose_release_serves_neither_its_step_nor_the_next_is_refused()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        await ChangeAsRolloutControllerAsync(name, 3000);

        var skipped = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}");

        Assert.Equal("rollout_moved", skipped.Expect(HttpStatusCode.Conflict).ErrorCode);
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(3000, release.GetProperty("canary_weight").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_start_whose_rollout_cannot_be_recorded_withdraws_the_canary_it_started(bool storeFails)
    {
        // Its own gateway: the seam is on this instance's rollout service.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var service = gateway.GetRequiredService<LlmGateway.Rollouts.RolloutService>();
        var store = gateway.GetRequiredService<LlmGateway.Rollouts.RolloutStore>();
        service.AfterCanaryStart = async () =>
        {
            if (storeFails)
            {
                throw new StackExchange.Redis.RedisConnectionException(
                    StackExchange.Redis.ConnectionFailureType.SocketFailure, StackExchange.Redis.CommandFlags.None, "cut between the two writes", null, StackExchange.Redis.CommandStatus.Unknown);
            }

            // Another writer's rollout record lands first: the start's write expects none.
            var other = new LlmGateway.Contracts.Rollouts.RolloutView
            {
                Prompt = name, Environment = "staging", Candidate = 2, Baseline = 1, Status = "aborted", Step = 0,
                StepStartedAt = DateTimeOffset.UtcNow, Weight = 0, StartedAt = DateTimeOffset.UtcNow, StartedBy = "someone",
                UpdatedAt = DateTimeOffset.UtcNow, Plan = new LlmGateway.Contracts.Rollouts.RolloutPlan(),
            };
            Assert.True(await store.TryWriteAsync(other, 0, fencingToken: null));
        };
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        using var viewer = new AdminClient(gateway, TestEnvironment.ViewerToken);

        var started = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""");

        Assert.Equal(storeFails ? "store_unavailable" : "revision_conflict",
            started.Expect(storeFails ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.Conflict).ErrorCode);
        var release = Release(await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging"));
        Assert.Equal((1, JsonValueKind.Null), (release.GetProperty("stable").GetInt32(), release.GetProperty("canary").ValueKind));
        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        Assert.Equal("rollout start of v2 not recorded: canary withdrawn", history[^1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_failed_start_leaves_alone_a_canary_another_start_by_the_same_token_made()
    {
        // The start's answer is lost after its canary write; meanwhile that revision is found holding another start's
        // canary of the same version by the same token (stamped with another time). Withdrawing it would abort the
        // rollout the other start is running.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var service = gateway.GetRequiredService<LlmGateway.Rollouts.RolloutService>();
        var store = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        service.AfterCanaryStart = async () =>
        {
            var key = store.Keys.Release(name, "staging");
            var release = System.Text.Json.Nodes.JsonNode.Parse((string)(await store.Database.StringGetAsync(key))!)!;
            release["updated_at"] = DateTimeOffset.UtcNow.AddSeconds(5).ToString("O");
            await store.Database.StringSetAsync(key, release.ToJsonString());
            throw new StackExchange.Redis.RedisConnectionException(
                StackExchange.Redis.ConnectionFailureType.SocketFailure, StackExchange.Redis.CommandFlags.None, "cut between the two writes", null, StackExchange.Redis.CommandStatus.Unknown);
        };
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var started = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""");

        Assert.Equal("store_unavailable", started.Expect(HttpStatusCode.ServiceUnavailable).ErrorCode);
        var release = Release(await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging"));
        Assert.Equal(2, release.GetProperty("canary").GetInt32());
    }

    private async Task ChangeAsRolloutControllerAsync(string name, int weight)
    {
        var (_, refusal) = await env.Gateway.GetRequiredService<LlmGateway.Releases.ReleaseService>().ApplyAsync(name, "staging",
            new LlmGateway.Releases.ReleaseChange("canary-start", 2, weight, "rollout step", null, null), LlmGateway.Rollouts.RolloutController.Actor, TestContext.Current.CancellationToken);
        Assert.Null(refusal);
    }

    [Fact]
    public async Task A_shadow_steps_event_names_its_share_as_the_weights_are_named()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        const string shadowPlan = """{"steps":[{"shadow":true,"share":0.125,"min_duration":"24h"},{"weight":5}],"metrics":[{"metric":"error","threshold":0.1}]}""";

        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{shadowPlan}},"reason":"mirror"}""")).Expect(HttpStatusCode.Created);

        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        Assert.Equal("rollout step 1/2 (shadow 12.5%): mirror", history[^1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_operators_abort_takes_the_canary_away_at_once()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);

        var aborted = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"bad vibes"}""")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal(("aborted", "bad vibes"), (aborted.GetProperty("status").GetString(), aborted.GetProperty("status_reason").GetString()));
        var release = Release(await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging"));
        Assert.Equal((1, JsonValueKind.Null), (release.GetProperty("stable").GetInt32(), release.GetProperty("canary").ValueKind));
        // The instance serves stable only, as after any abort.
        Assert.True(await Eventually.TrueAsync(
            async () => (await operatorClient.GetAsync("/admin/v1/instance/releases")).Json.GetProperty("releases").EnumerateArray()
                .Any(r => r.GetProperty("prompt").GetString() == name && r.GetProperty("canary").ValueKind == JsonValueKind.Null),
            TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Manual_control_acts_only_on_the_rollouts_own_canary()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        (await operatorClient.ReleaseAsync(name, "staging", "promote", """{"reason":"by hand"}""")).Expect(HttpStatusCode.OK);

        // Promoted by hand: an abort must not mark the rollout aborted, nor touch the release.
        Assert.Equal("canary_not_candidate", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", "{}")).Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("canary_not_candidate", (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/skip-step", "{}")).Expect(HttpStatusCode.Conflict).ErrorCode);
        var release = Release(await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging"));
        Assert.Equal(2, release.GetProperty("stable").GetInt32());

        // The controller's next look ends the rollout as the release says, even a paused one.
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", "{}")).Expect(HttpStatusCode.OK);
        Assert.Equal("promote", await RolloutControllerTests.LookAsync(env.Gateway, name));
        var rollout = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(("promoted", "promoted outside the rollout"), (rollout.GetProperty("status").GetString(), rollout.GetProperty("status_reason").GetString()));
    }

    [Fact]
    public async Task A_bundle_metric_the_stable_version_does_not_define_the_same_way_is_refused_at_start()
    {
        // Each arm is scored by its own version's assertions: a metric only the candidate defines has no stable readings.
        const string Answered = ""","online_eval":{"assert":[{"type":"not-is-refusal","metric":"answered"}]}""";
        const string AnsweredOtherwise = ""","online_eval":{"assert":[{"type":"not-is-refusal","metric":"answered","threshold":0.5}]}""";
        const string AnsweredPlan = """{"steps":[{"weight":10}],"metrics":[{"metric":"answered","threshold":0.05}]}""";
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        foreach (var stable in new[] { "", AnsweredOtherwise })
        {
            var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
            await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1, stable), PromptSetup.Bundle(name, 2, Answered)]);

            var refused = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{AnsweredPlan}}}""")).Expect(HttpStatusCode.BadRequest);

            Assert.Equal(("invalid_plan", "plan.metrics[0].metric"), (refused.ErrorCode, refused.Json.GetProperty("error").GetProperty("param").GetString()));
            Assert.Contains("stable version v1", refused.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var same = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, same, [PromptSetup.Bundle(same, 1, Answered), PromptSetup.Bundle(same, 2, Answered)]);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{same}/rollouts/staging", $$"""{"version":2,"plan":{{AnsweredPlan}}}""")).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Cost_is_never_judged_on_an_unpriced_model_an_operators_plan_is_refused_and_the_default_leaves_it_out()
    {
        // gpt-4o has no price in the tests' catalog: cost_usd would never read, and every step would pause at its end.
        var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Unpriced(name, 1), Unpriced(name, 2)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(("invalid_plan", "plan.metrics[1].metric"), (refused.ErrorCode, refused.Json.GetProperty("error").GetProperty("param").GetString()));
        Assert.Contains("no price", refused.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        var started = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", """{"version":2}""")).Expect(HttpStatusCode.Created).Json;
        var metrics = started.GetProperty("plan").GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("metric").GetString()).ToList();
        Assert.DoesNotContain("cost_usd", metrics);
        Assert.Contains("error", metrics);
        Assert.Contains("refusal", metrics);

        static string Unpriced(string name, int version) => PromptSetup.Bundle(name, version).Replace("\"gpt-4o-mini\"", "\"gpt-4o\"", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reason_longer_than_a_few_sentences_is_refused_with_its_field()
    {
        var name = await ReleasedAsync();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var essay = JsonSerializer.Serialize(new string('r', 1001));

        var start = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}},"reason":{{essay}}}""")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("reason", start.Json.GetProperty("error").GetProperty("param").GetString());
        (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.NotFound);

        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        var pause = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", $$"""{"reason":{{essay}}}""")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("reason", pause.Json.GetProperty("error").GetProperty("param").GetString());
        var release = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/releases/staging/rollback", $$"""{"reason":{{essay}}}""")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("reason", release.Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("running", (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_operators_commands_reach_the_environments_webhook_as_the_controllers_decisions_do()
    {
        await using var receiver = await LlmGateway.Tests.Rollouts.Notifications.WebhookReceiver.StartAsync();
        var settings = env.GatewaySettings();
        settings["Gateway:Rollouts:Enabled"] = "false";
        settings["Gateway:Rollouts:Webhooks:staging:Url"] = receiver.Url.ToString();
        await using var gateway = await GatewayHost.StartAsync(settings);
        var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"lunch"}""")).Expect(HttpStatusCode.OK);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"incident 42"}""")).Expect(HttpStatusCode.OK);

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Count >= 3), TimeSpan.FromSeconds(30)), $"{receiver.Requests.Count} webhook posts");
        var posts = receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["start", "pause", "abort"], posts.Select(p => p.GetProperty("decision").GetString()));
        Assert.All(posts, p => Assert.Equal(name, p.GetProperty("prompt").GetString()));
        Assert.Contains("incident 42", posts[2].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("aborted", posts[2].GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_operator_can_pause_a_rollout_whose_release_record_does_not_read()
    {
        // A pause changes the rollout alone; it was refused with the release's 409, so nothing could stop the controller.
        // A store of its own: the unreadable release degrades the readiness of every gateway that reads it.
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-pu-" + Guid.NewGuid().ToString("N")[..8];
        await using var gateway = await GatewayHost.StartAsync(settings);
        var name = await ShadowStep.StartOnNewPromptAsync(gateway, "pause-unreadable");
        var store = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), "{not json");
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var paused = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/pause", """{"reason":"release looks wrong"}""")).Expect(HttpStatusCode.OK).Json;
        var abort = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"no"}""");

        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, abort.Status);
    }

    [Theory]
    [InlineData("Gateway:Shadow:Enabled", "false")]
    [InlineData("Gateway:Shadow:MaxShare", "0")]
    public async Task A_shadow_step_on_a_gateway_with_shadow_traffic_off_is_refused_at_start(string setting, string value)
    {
        // No copy would be sent: the step waited out its maximum (up to 24 h) with nothing to judge.
        var settings = env.GatewaySettings();
        settings[setting] = value;
        await using var gateway = await GatewayHost.StartAsync(settings);
        var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        var refused = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{ShadowStep.Plan}}}""")).Expect(HttpStatusCode.BadRequest);

        Assert.Equal("plan.steps[0].shadow", refused.Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains("Shadow traffic is off", refused.Text, StringComparison.Ordinal);
        (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.NotFound);
    }

    private async Task<string> ReleasedAsync()
    {
        var name = "rollout-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        return name;
    }

    private static JsonElement Release(AdminResponse response)
    {
        var json = response.Expect(HttpStatusCode.OK).Json;
        return json.TryGetProperty("release", out var inner) ? inner : json;
    }
}
