using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Behaviour;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// Two gateway instances on one store, both running the controller and an evaluator: a rollout started with
/// <c>gatewayctl</c>'s API runs to promotion under concurrent traffic with no failed client request, exactly one
/// instance acting per step; and an operator's abort reaches the other instance by publication.
/// </summary>
public sealed class RolloutTwoInstancesTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Plan = """
        {"steps":[{"weight":40,"min_duration":"1m","min_samples":30},{"weight":50,"min_duration":"1m","min_samples":30},{"weight":60,"min_duration":"1m","min_samples":30}],
         "metrics":[{"metric":"refusal","threshold":0.15},{"metric":"error","threshold":0.15}]}
        """;

    [Fact]
    public async Task A_three_step_rollout_is_promoted_under_load_by_one_leader_with_no_failed_request()
    {
        var clock = new ShiftedTimeProvider();
        var prefix = "gwroll-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await StartAsync(prefix, clock);
        await using var second = await StartAsync(prefix, clock);
        var name = "rollout-two-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(first, name, [Bundle(name, "v1 for {{ company }}"), Bundle(name, "v2 for {{ company }}")]);
        using var operatorClient = new AdminClient(first, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}},"reason":"ship v2"}""")).Expect(HttpStatusCode.Created);
        var key = await PromptSetup.KeyAsync(first);
        var failed = 0;
        var sent = 0;

        for (var step = 0; step < 3; step++)
        {
            clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
            // Load on both instances at once: eight concurrent clients.
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async client =>
            {
                var chat = OpenAiClients.For(client % 2 == 0 ? first : second, key).GetChatClient("prompt:" + name);
                var errors = 0;
                for (var i = 0; i < 40; i++)
                {
                    try
                    {
                        var options = new ChatCompletionOptions { EndUserId = Guid.NewGuid().ToString("N") };
                        options.Patch.Set("$.prompt_variables.company"u8, "Acme");
                        await chat.CompleteChatAsync([new UserChatMessage($"Question {Guid.NewGuid():N}")], options, Ct);
                    }
                    catch (System.ClientModel.ClientResultException)
                    {
                        errors++;
                    }
                }

                return errors;
            }));
            failed += results.Sum();
            sent += 320;

            Assert.True(await ScoredAsync(first, name, sent), "the evaluators did not score the step's traffic");
            clock.Advance(TimeSpan.FromMinutes(1));
            var expected = step < 2 ? $"\"step\":{step + 1}" : "\"status\":\"promoted\"";
            Assert.True(await Eventually.TrueAsync(
                async () => (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Text.Contains(expected, StringComparison.Ordinal),
                TimeSpan.FromSeconds(20)), $"step {step}: {(await operatorClient.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Text}");
        }

        Assert.Equal(0, failed);
        var history = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/history?env=staging")).Json.EnumerateArray().ToList();
        Assert.Equal(["release-set", "canary-start", "canary-weight", "canary-weight", "promote"], history.Select(e => e.GetProperty("action").GetString()).ToArray());
        Assert.All(history.Skip(2), e => Assert.Equal("rollout-controller", e.GetProperty("actor").GetString()));
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, release.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task An_abort_through_the_api_reaches_the_other_instance_by_publication()
    {
        var clock = new ShiftedTimeProvider();
        var prefix = "gwroll-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await StartAsync(prefix, clock);
        // The other instance's revalidation is off: only the published change can reach it.
        await using var second = await StartAsync(prefix, clock, s => s["Gateway:Releases:RevalidationIntervalMs"] = "60000");
        var name = "rollout-two-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(first, name, [Bundle(name, "v1 for {{ company }}"), Bundle(name, "v2 for {{ company }}")]);
        using var operatorClient = new AdminClient(first, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        Assert.True(await ServesCanaryAsync(second, name, canary: true));

        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging/abort", """{"reason":"stop"}""")).Expect(HttpStatusCode.OK);

        Assert.True(await ServesCanaryAsync(second, name, canary: false));
    }

    private async Task<GatewayHost> StartAsync(string prefix, ShiftedTimeProvider clock, Action<Dictionary<string, string?>>? extra = null)
    {
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = prefix;
        settings["Gateway:Sampling:StableRate"] = "1";
        settings["Gateway:Sampling:CanaryRate"] = "1";
        settings["Gateway:OnlineEval:Enabled"] = "true";
        settings["Gateway:OnlineEval:PollInterval"] = "00:00:00.050";
        settings["Gateway:Rollouts:Enabled"] = "true";
        settings["Gateway:Rollouts:Interval"] = "00:00:00.200";
        settings["Gateway:Rollouts:LeaseTtl"] = "00:00:02";
        // The traffic's minute is read as soon as it has ended (the clock is moved past it).
        settings["Gateway:Rollouts:SettleSeconds"] = "0";
        extra?.Invoke(settings);
        return await GatewayHost.StartAsync(settings, builder => builder.Services.AddSingleton<TimeProvider>(clock));
    }

    private static async Task<bool> ScoredAsync(GatewayHost gateway, string name, int total)
    {
        var query = gateway.GetRequiredService<LlmGateway.Behaviour.BehaviourQuery>();
        var now = gateway.GetRequiredService<TimeProvider>().GetUtcNow();
        return await Eventually.TrueAsync(
            async () =>
            {
                var read = await query.ReadAsync(new LlmGateway.Behaviour.BehaviourRequest(name, PromptSetup.Environment,
                    new HashSet<string>(StringComparer.Ordinal) { "error" }, false, false, now.AddHours(-1), now.AddMinutes(2), 60));
                return read.Series.Count == 1 && read.Series[0].Total.Count == total;
            },
            TimeSpan.FromSeconds(60));
    }

    private static async Task<bool> ServesCanaryAsync(GatewayHost gateway, string name, bool canary)
    {
        using var viewer = new AdminClient(gateway, TestEnvironment.OperatorToken);
        return await Eventually.TrueAsync(
            async () => (await viewer.GetAsync("/admin/v1/instance/releases")).Json.GetProperty("releases").EnumerateArray().Any(r =>
                r.GetProperty("prompt").GetString() == name && (r.GetProperty("canary").ValueKind == JsonValueKind.Number) == canary),
            TimeSpan.FromSeconds(2));
    }

    private static string Bundle(string name, string system) => $$$"""
        {"name":"{{{name}}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"{{{system}}}"}],
         "variables":[{"name":"company","required":true}]}
        """;
}
