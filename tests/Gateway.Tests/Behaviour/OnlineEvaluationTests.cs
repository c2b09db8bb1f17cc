using System.Net;
using System.Text.Json;
using LlmGateway.Behaviour;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// Online evaluation end to end: the OpenAI SDK through a real gateway to the mock, samples into the store, the
/// in-process evaluator scoring them, the behaviour API and the change detector reading the series back.
/// </summary>
public sealed class OnlineEvaluationTests(TestEnvironment env)
{
    private const string OnlineEval = ""","online_eval":{"assert":[{"type":"not-is-refusal","metric":"answered"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_canary_that_refuses_more_shows_per_arm_and_the_detector_ties_the_change_to_the_canary_start()
    {
        // Every sample is in before the look (the test waits for them): the minute just ended is read at once.
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true, settings => settings["Gateway:OnlineEval:DetectionSettleSeconds"] = "0");
        await using var _ = gateway;
        var name = "beh-e2e-" + Guid.NewGuid().ToString("N")[..8];
        var v1 = Bundle(name, "v1 for {{ company }}");
        var v2 = Bundle(name, "v2 for {{ company }} [[mock:refuse=0.3]]");
        await PromptSetup.ReleaseAsync(gateway, name, [v1, v2]);
        var key = await PromptSetup.KeyAsync(gateway);
        var chat = OpenAiClients.For(gateway, key).GetChatClient("prompt:" + name);
        var start = clock.GetUtcNow();

        // Two minutes of stable-only traffic, then the canary at 50% for two minutes.
        var sent = 0;
        for (var minute = 0; minute < 4; minute++)
        {
            if (minute == 2)
            {
                using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
                (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "canary", """{"version":2,"weight":5000,"reason":"try v2"}""")).Expect(HttpStatusCode.OK);
                Assert.True(await ServesCanaryAsync(gateway, name));
            }

            for (var i = 0; i < 70; i++, sent++)
            {
                await AskAsync(chat, sent);
            }

            clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        }

        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var window = $"env={PromptSetup.Environment}&from={Uri.EscapeDataString(start.AddMinutes(-1).ToString("o"))}&to={Uri.EscapeDataString(clock.GetUtcNow().ToString("o"))}";
        var scored = await Eventually.ResultAsync(
            async () => (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?metric=error&groupBy=&{window}")).Json,
            json => json.GetProperty("series").GetArrayLength() == 1 && Total(json.GetProperty("series")[0]).GetProperty("count").GetInt64() == sent,
            TimeSpan.FromSeconds(60));
        Assert.Equal(sent, Total(scored.GetProperty("series")[0]).GetProperty("count").GetInt64());
        Assert.Equal(0, Total(scored.GetProperty("series")[0]).GetProperty("mean").GetDouble());

        var refusals = (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?metric=refusal,answered&groupBy=version,variant&{window}")).Json.GetProperty("series");
        var stable = Series(refusals, "refusal", 1, "stable");
        var canary = Series(refusals, "refusal", 2, "canary");
        Assert.Equal("rate", stable.GetProperty("kind").GetString());
        Assert.Equal(0, Total(stable).GetProperty("mean").GetDouble());
        var canaryRate = Total(canary).GetProperty("mean").GetDouble();
        // The mock refuses 30% of all texts; which texts the sticky split sends to the canary is the release's salt's draw.
        Assert.InRange(canaryRate, 0.10, 0.60);
        Assert.Equal(sent, Total(stable).GetProperty("count").GetInt64() + Total(canary).GetProperty("count").GetInt64());
        // The canary's points begin where the canary did: nothing before minute 2.
        Assert.All(canary.GetProperty("points").EnumerateArray().Where(p => p.GetProperty("at").GetDateTimeOffset() < start.AddMinutes(1)), p => Assert.Equal(0, p.GetProperty("count").GetInt64()));

        // The bundle's own assertion, scored by the offline engine's scorer: a pass ratio per arm.
        Assert.Equal(1.0, Total(Series(refusals, "answered", 1, "stable")).GetProperty("pass_ratio").GetDouble());
        Assert.Equal(1 - canaryRate, Total(Series(refusals, "answered", 2, "canary")).GetProperty("pass_ratio").GetDouble(), 9);

        // A look whose lease is gone stops before it records anything (the next leader looks instead).
        Assert.Empty(await gateway.GetRequiredService<BehaviourChangeDetector>().DetectAsync(Ct, () => Task.FromResult(false)));
        // Another prompt whose look fails (a segment that is not a minute): the look goes on to this one.
        var store = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        await store.Database.SetAddAsync(store.Keys.BehaviourIndex, "beh-broken|" + PromptSetup.Environment);
        await store.Database.HashSetAsync(store.Keys.BehaviourSegments("beh-broken", PromptSetup.Environment), "refusal", "not-a-minute");
        var changes = (await gateway.GetRequiredService<BehaviourChangeDetector>().DetectAsync(Ct, () => Task.FromResult(true))).Where(c => c.Prompt == name).ToList();
        var refusal = Assert.Single(changes, c => c.Metric == "refusal");
        Assert.Equal("increase", refusal.Direction);
        Assert.Equal(0, refusal.Before);
        Assert.True(refusal.CiLow > 0, "the increase's interval excludes zero");
        // The headline weighs the arms by their samples; the arms say which one moved: v2's canary, from nothing.
        Assert.NotNull(refusal.Arms);
        var stableArm = Assert.Single(refusal.Arms, a => a.Version == 1 && a.Variant == "stable");
        var canaryArm = Assert.Single(refusal.Arms, a => a.Version == 2 && a.Variant == "canary");
        Assert.Equal((0.0, 0.0), (stableArm.Before, stableArm.After));
        Assert.Null(canaryArm.Before);
        Assert.Equal(0, canaryArm.SamplesBefore);
        Assert.InRange(canaryArm.After!.Value, 0.10, 0.60);
        Assert.Equal(refusal.SamplesAfter, stableArm.SamplesAfter + canaryArm.SamplesAfter);
        var activation = Assert.IsType<LlmGateway.Contracts.Behaviour.NearestActivation>(refusal.NearestActivation);
        Assert.Equal("canary-start", activation.Action);
        Assert.Equal(2, activation.Version);
        Assert.Equal("try v2", activation.Reason);
        Assert.Equal("olga", activation.Actor);

        // Looked at again, the same change is not reported twice; the API lists it with its cause.
        Assert.DoesNotContain(await gateway.GetRequiredService<BehaviourChangeDetector>().DetectAsync(name, PromptSetup.Environment), c => c.Metric == "refusal");
        var listed = (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour/changes?env={PromptSetup.Environment}&metric=refusal")).Json;
        var entry = Assert.Single(listed.GetProperty("changes").EnumerateArray());
        Assert.Equal(refusal.Id, entry.GetProperty("id").GetString());
        Assert.Equal("canary-start", entry.GetProperty("nearest_activation").GetProperty("action").GetString());
    }

    [Fact]
    public async Task The_behaviour_api_refuses_bad_queries_with_the_parameter_named()
    {
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.AdminToken);
        var name = "beh-api-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var env_ = PromptSetup.Environment;

        (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?env={env_}&step=90")).Expect(HttpStatusCode.BadRequest).ExpectParam("step");
        (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?env={env_}&groupBy=model")).Expect(HttpStatusCode.BadRequest).ExpectParam("groupBy");
        (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?env={env_}&from=yesterday")).Expect(HttpStatusCode.BadRequest).ExpectParam("from");
        (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?env={env_}&from=2026-01-01T00:00:00Z&to=2026-01-10T00:00:00Z")).Expect(HttpStatusCode.BadRequest).ExpectParam("step");
        (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?env=nowhere")).Expect(HttpStatusCode.NotFound).ExpectParam("env");
        (await viewer.GetAsync($"/admin/v1/prompts/no-such-{name}/behaviour?env={env_}")).Expect(HttpStatusCode.NotFound).ExpectParam("name");
        (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour/changes?env={env_}&limit=0")).Expect(HttpStatusCode.BadRequest).ExpectParam("limit");

        // Nothing scored yet: an empty answer, not an error.
        var empty = (await viewer.GetAsync($"/admin/v1/prompts/{name}/behaviour?env={env_}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(0, empty.GetProperty("series").GetArrayLength());
        Assert.Equal(["version", "variant"], empty.GetProperty("group_by").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Fact]
    public async Task A_bundle_whose_online_eval_cannot_run_online_is_refused_at_push_with_the_field()
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        var name = "beh-push-" + Guid.NewGuid().ToString("N")[..8];
        var bundle = PromptSetup.Bundle(name, 1, ""","online_eval":{"assert":[{"type":"is-json"},{"type":"equals","value":"x"}]}""");
        var refused = (await author.PushAsync(bundle)).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("online_eval.assert[1].type", refused.Text, StringComparison.Ordinal);

        (await author.PushAsync(PromptSetup.Bundle(name, 1, OnlineEval))).Expect(HttpStatusCode.Created);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var stored = (await viewer.GetAsync($"/admin/v1/prompts/{name}/versions/1")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("answered", stored.GetProperty("online_eval").GetProperty("assert")[0].GetProperty("metric").GetString());
    }

    private static string Bundle(string name, string system) => $$$"""
        {"name":"{{{name}}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"{{{system}}}"}],
         "variables":[{"name":"company","required":true}]{{{OnlineEval}}}}
        """;

    private static async Task AskAsync(ChatClient chat, int i)
    {
        var options = new ChatCompletionOptions { EndUserId = "user-" + i };
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");
        await chat.CompleteChatAsync([new UserChatMessage($"Question number {i}: where is my parcel?")], options, Ct);
    }

    private static async Task<bool> ServesCanaryAsync(GatewayHost gateway, string name)
    {
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        return await Eventually.TrueAsync(
            async () => (await operatorClient.GetAsync("/admin/v1/instance/releases")).Json.GetProperty("releases").EnumerateArray().Any(r =>
                r.GetProperty("prompt").GetString() == name && r.GetProperty("canary").ValueKind == JsonValueKind.Number && r.GetProperty("canary").GetInt32() == 2),
            TimeSpan.FromSeconds(2));
    }

    private static JsonElement Total(JsonElement series) => series.GetProperty("total");

    private static JsonElement Series(JsonElement all, string metric, int version, string variant) =>
        Assert.Single(all.EnumerateArray(), s => s.GetProperty("metric").GetString() == metric
            && s.GetProperty("version").GetInt32() == version && s.GetProperty("variant").GetString() == variant);
}
