using System.Text.Json;
using System.Text.RegularExpressions;
using LlmGateway.Auth;
using LlmGateway.Behaviour;
using LlmGateway.Sampling;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Behaviour;

/// <summary>The online judge: called through the gateway under its own key, and a judge that cannot grade is never a pass.</summary>
public sealed partial class OnlineJudgeTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="overHttp">Through <c>Judge:BaseUrl</c> (a separate evaluator's way), or the gateway's pipeline in process (the default).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Judge_calls_are_billed_to_the_judge_key_and_an_unreadable_verdict_is_an_error_never_a_pass(bool overHttp)
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var name = "beh-judge-" + Guid.NewGuid().ToString("N")[..8];
        var bundle = PromptSetup.Bundle(name, 1, ""","online_eval":{"assert":[{"type":"llm-rubric","value":"Polite?","metric":"polite"},{"type":"icontains","value":"mock reply","metric":"echo"}],"judge":{"model":"gpt-4o-mini","sample_rate":1}}""");
        await PromptSetup.ReleaseAsync(gateway, name, [bundle]);
        var chat = OpenAiClients.For(gateway, await PromptSetup.KeyAsync(gateway)).GetChatClient("prompt:" + name);
        const int sent = 6;
        for (var i = 0; i < sent; i++)
        {
            var request = new ChatCompletionOptions();
            request.Patch.Set("$.prompt_variables.company"u8, "Acme");
            await chat.CompleteChatAsync([new UserChatMessage($"judge me {i} ({name})")], request, Ct);
        }

        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.True(await Eventually.TrueAsync(async () => (await queue.StatsAsync()).Ready == sent, TimeSpan.FromSeconds(10)));

        // The judge's own key, in the gateway's own environment of keys.
        var (judgeKey, judgeSecret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("online-judge", "test", []);
        // Over HTTP the serving gateway knows the judge's key (its own settings name it); in process it does not, so
        // only the request feature can keep the judge's calls out of the samples.
        var options = overHttp
            ? gateway.GetRequiredService<IOptions<OnlineEvalOptions>>().Value
            : new OnlineEvalOptions();
        options.Judge.ApiKey = judgeSecret;
        options.Judge.BaseUrl = overHttp ? gateway.BaseUrl : null;
        using var judges = ActivatorUtilities.CreateInstance<JudgeGate>(gateway.Services, Options.Create(options), new JudgeAddress(gateway.GetRequiredService<LlmGateway.Hosting.InProcessApplication>()));
        var evaluator = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services, judges);
        while (await evaluator.RunOnceAsync(Ct) > 0)
        {
        }

        var series = (await gateway.GetRequiredService<BehaviourQuery>().ReadAsync(new BehaviourRequest(
            name, PromptSetup.Environment, new HashSet<string>(StringComparer.Ordinal) { "polite", "polite.score", "echo" }, false, false,
            clock.GetUtcNow().AddHours(-1), clock.GetUtcNow().AddMinutes(1), 60))).Series;

        // The mock answers the judge in prose, not the verdict JSON: every judged sample is an error, none a pass.
        var polite = Assert.Single(series, s => s.Metric == "polite").Total;
        Assert.Equal((0L, 0L, 0L, (long)sent), (polite.Count, polite.Passes, polite.Fails, polite.Errors));
        Assert.DoesNotContain(series, s => s.Metric == "polite.score");
        // The bundle's other assertion was scored all the same.
        Assert.Equal(((long)sent, (long)sent), (Assert.Single(series, s => s.Metric == "echo").Total.Count, Assert.Single(series, s => s.Metric == "echo").Total.Passes));

        // Every judge call went through the gateway under the judge's key, never the judged prompt's.
        var judgeCalls = env.Received.Snapshot().Where(r => r.Body.Contains("You grade an AI assistant", StringComparison.Ordinal) && r.Body.Contains($"({name})", StringComparison.Ordinal)).ToList();
        Assert.Equal(sent, judgeCalls.Count);
        Assert.All(judgeCalls, r => Assert.Contains("\"user\":\"gateway-online-judge\"", r.Body, StringComparison.Ordinal));
        // The live answer (client-influenced) reaches the judge inside a fence of a boundary of its own per call.
        var fences = judgeCalls.Select(r => FencedAnswer().Match(JudgeUserMessage(r.Body))).ToList();
        Assert.All(fences, fence => Assert.True(fence.Success));
        Assert.Equal(sent, fences.Select(fence => fence.Groups[1].Value).Distinct(StringComparer.Ordinal).Count());
        Assert.All(judgeCalls, r => Assert.DoesNotContain(judgeSecret, string.Join("\n", r.Headers.Values), StringComparison.Ordinal));
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var window = $"from={Uri.EscapeDataString(clock.GetUtcNow().AddHours(-1).ToString("o"))}&to={Uri.EscapeDataString(clock.GetUtcNow().AddMinutes(1).ToString("o"))}";
        var usage = await Eventually.ResultAsync(
            async () => (await viewer.GetAsync($"/admin/v1/usage?key={judgeKey.Id}&groupBy=key,prompt&{window}")).Json,
            rows => rows.GetArrayLength() == 1 && rows[0].GetProperty("requests").GetInt64() == sent,
            TimeSpan.FromSeconds(10));
        var row = Assert.Single(usage.EnumerateArray());
        Assert.Equal(sent, row.GetProperty("requests").GetInt64());
        // Judge calls name a model, not a prompt: they never count as the judged prompt's usage.
        Assert.Equal("-", row.GetProperty("group").GetProperty("prompt").GetString());
    }
    [Fact]
    public async Task A_sample_redelivered_after_it_was_counted_is_not_judged_or_paid_for_again()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var name = "beh-rejudge-" + Guid.NewGuid().ToString("N")[..8];
        var bundle = PromptSetup.Bundle(name, 1, ""","online_eval":{"assert":[{"type":"llm-rubric","value":"Polite?","metric":"polite"}],"judge":{"model":"gpt-4o-mini","sample_rate":1}}""");
        await PromptSetup.ReleaseAsync(gateway, name, [bundle]);
        var chat = OpenAiClients.For(gateway, await PromptSetup.KeyAsync(gateway)).GetChatClient("prompt:" + name);
        const int sent = 3;
        for (var i = 0; i < sent; i++)
        {
            var request = new ChatCompletionOptions();
            request.Patch.Set("$.prompt_variables.company"u8, "Acme");
            await chat.CompleteChatAsync([new UserChatMessage($"judge me once {i} ({name})")], request, Ct);
        }

        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.True(await Eventually.TrueAsync(async () => (await queue.StatsAsync()).Ready == sent, TimeSpan.FromSeconds(10)));
        var (_, judgeSecret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("online-judge", "test", []);
        var options = gateway.GetRequiredService<IOptions<OnlineEvalOptions>>().Value;
        options.Judge.ApiKey = judgeSecret;
        options.Judge.BaseUrl = null;
        using var judges = ActivatorUtilities.CreateInstance<JudgeGate>(gateway.Services, Options.Create(options), new JudgeAddress(gateway.GetRequiredService<LlmGateway.Hosting.InProcessApplication>()));

        // The first worker counts the batch and dies before its ack: the batch comes back after the claims lapse.
        var dying = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services, judges);
        dying.BeforeAck = _ => throw new InvalidOperationException("killed after counting");
        await Assert.ThrowsAsync<InvalidOperationException>(() => dying.RunOnceAsync(Ct));
        int JudgeCalls() => env.Received.Snapshot().Count(r => r.Body.Contains("You grade an AI assistant", StringComparison.Ordinal) && r.Body.Contains($"({name})", StringComparison.Ordinal));
        Assert.Equal(sent, JudgeCalls());

        clock.Advance(TimeSpan.FromMinutes(6));
        var survivor = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services, judges);
        while (await survivor.RunOnceAsync(Ct) > 0)
        {
        }

        // Acked without a second judge call each (they were paid for once, and counted once).
        Assert.Equal(new LlmGateway.Sampling.Queue.QueueStats(0, 0, 0), await queue.StatsAsync());
        Assert.Equal(sent, JudgeCalls());
    }

    /// <param name="overHttp">
    /// Through <c>Judge:BaseUrl</c>, known by the judge's key (this gateway has it configured); or in process, marked by
    /// a request feature. Never by the <c>user</c> it sends, which any client can send.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_judges_own_calls_are_never_sampled_while_a_plain_client_request_still_is(bool overHttp)
    {
        // Every plain request is sampled: the judge's call, a plain chat completion under its own key, was stored with the
        // graded answer and the rubric in it (a second copy of user content), and took room in the sample queue.
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false, s => s["Gateway:Sampling:PlainRate"] = "1");
        await using var _ = gateway;
        var name = "beh-judge-unsampled-" + Guid.NewGuid().ToString("N")[..8];
        var bundle = PromptSetup.Bundle(name, 1, ""","online_eval":{"assert":[{"type":"llm-rubric","value":"Polite?","metric":"polite"}],"judge":{"model":"gpt-4o-mini","sample_rate":1}}""");
        await PromptSetup.ReleaseAsync(gateway, name, [bundle]);
        var clientKey = await PromptSetup.KeyAsync(gateway);
        var chat = OpenAiClients.For(gateway, clientKey).GetChatClient("prompt:" + name);
        const int sent = 3;
        for (var i = 0; i < sent; i++)
        {
            var request = new ChatCompletionOptions();
            request.Patch.Set("$.prompt_variables.company"u8, "Acme");
            await chat.CompleteChatAsync([new UserChatMessage($"judge me {i} ({name})")], request, Ct);
        }

        var samples = gateway.GetRequiredService<SampleStore>();
        Assert.True(await Eventually.TrueAsync(async () => (await samples.Queue.StatsAsync()).Ready == sent, TimeSpan.FromSeconds(10)));
        var (judgeKey, judgeSecret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("online-judge", "test", []);
        var options = gateway.GetRequiredService<IOptions<OnlineEvalOptions>>().Value;
        options.Judge.ApiKey = judgeSecret;
        options.Judge.BaseUrl = overHttp ? gateway.BaseUrl : null;
        using var judges = ActivatorUtilities.CreateInstance<JudgeGate>(gateway.Services, Options.Create(options), new JudgeAddress(gateway.GetRequiredService<LlmGateway.Hosting.InProcessApplication>()));
        var evaluator = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services, judges);
        while (await evaluator.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(sent, env.Received.Snapshot().Count(r => r.Body.Contains("You grade an AI assistant", StringComparison.Ordinal) && r.Body.Contains($"({name})", StringComparison.Ordinal)));

        // A plain request of a client, after the judge's calls ended (each was handed to the sample writer as it ended):
        // sampled, and once it is stored the judge's would be too.
        var marker = $"plain question ({name})";
        await OpenAiClients.For(gateway, clientKey).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage(marker)], cancellationToken: Ct);
        var plain = await Eventually.ResultAsync(
            async () =>
            {
                var page = await samples.ListAsync(new SampleFilter { Model = "gpt-4o-mini" }, 500, null, Ct);
                return (await samples.GetAsync([.. page.Samples.Where(s => s.Prompt is null).Select(s => s.Id)]))
                    .Select(read => read.Record).OfType<SampleRecord>().ToList();
            },
            records => records.Any(r => (r.Input.Messages?.ToJsonString() ?? "").Contains(marker, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10));

        Assert.DoesNotContain(plain, r => r.KeyId == judgeKey.Id);
        Assert.DoesNotContain(plain, r => (r.Input.Messages?.ToJsonString() ?? "").Contains("You grade an AI assistant", StringComparison.Ordinal));
    }

    private static string JudgeUserMessage(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("messages")[1].GetProperty("content").GetString()!;
    }

    [GeneratedRegex(@"\A<rubric>\nPolite\?\n</rubric>\n\n<output-([0-9a-f]{32})>\n(?s:.*)(?i:mock reply)(?s:.*)\n</output-\1>\z")]
    private static partial Regex FencedAnswer();
}
