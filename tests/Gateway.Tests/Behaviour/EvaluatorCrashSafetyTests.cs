using System.Net;
using LlmGateway.Behaviour;
using LlmGateway.Hosting;
using LlmGateway.Sampling;
using LlmGateway.Sampling.Queue;
using Microsoft.Extensions.Configuration;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using StackExchange.Redis;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// Evaluators share one queue and die at any moment: nothing is lost, nothing is counted twice, a sample that
/// cannot be read ends in the dead letters, and the separate evaluator process does the same work.
/// </summary>
public sealed class EvaluatorCrashSafetyTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_killed_between_counting_and_acking_loses_nothing_and_counts_nothing_twice()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 30);

        var dying = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        dying.BeforeAck = _ => throw new InvalidOperationException("killed mid-batch");
        await Assert.ThrowsAsync<InvalidOperationException>(() => dying.RunOnceAsync(Ct));
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.Equal(sent, (await queue.StatsAsync()).InFlight);

        // Another worker finds nothing until the dead worker's claims lapse, then takes them all back.
        var survivor = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        Assert.Equal(0, await survivor.RunOnceAsync(Ct));
        clock.Advance(TimeSpan.FromMinutes(6));
        while (await survivor.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(new QueueStats(0, 0, 0), await queue.StatsAsync());
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_worker_stopped_mid_round_hands_its_claims_back_at_once()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 8);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // The host stops while the round is in hand: its claims must not stay hidden for the visibility window.
        var stopped = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        stopped.BeforeAck = async _ =>
        {
            await stopping.CancelAsync();
            stopping.Token.ThrowIfCancellationRequested();
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.RunOnceAsync(stopping.Token));

        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.Equal(new QueueStats(sent, 0, 0), await queue.StatsAsync());
        // Another worker takes them at once (no clock advance), and they count once.
        var next = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        while (await next.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task Workers_stopped_mid_round_give_their_claims_attempts_back_so_deploys_dead_letter_nothing()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 4);
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        var attempts = gateway.GetRequiredService<IOptions<SamplingOptions>>().Value.QueueMaxAttempts;

        // A stop is the worker's doing, not the samples': more stopped rounds than the queue has attempts dead-letter none.
        for (var round = 0; round <= attempts; round++)
        {
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var stopped = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
            stopped.BeforeAck = async _ =>
            {
                await stopping.CancelAsync();
                stopping.Token.ThrowIfCancellationRequested();
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.RunOnceAsync(stopping.Token));
            Assert.Equal(new QueueStats(sent, 0, 0), await queue.StatsAsync());
        }

        var next = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        while (await next.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_round_that_fails_on_a_store_timeout_after_claiming_hands_its_claims_back_at_once_with_their_attempts()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 6);

        // A brownout: the ack times out, for more rounds than the queue has attempts. Each round hands its claims back
        // at once (not hidden for the visibility window), and the store's failure is not the samples': none of them is
        // dead-lettered for it.
        var failing = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        failing.BeforeAck = _ => throw new RedisTimeoutException(CommandFlags.None, "Timeout awaiting the ack", CommandStatus.Sent);
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        var attempts = gateway.GetRequiredService<IOptions<SamplingOptions>>().Value.QueueMaxAttempts;
        for (var round = 0; round <= attempts; round++)
        {
            await Assert.ThrowsAsync<RedisTimeoutException>(() => failing.RunOnceAsync(Ct));
            Assert.Equal(new QueueStats(sent, 0, 0), await queue.StatsAsync());
        }

        // The next round takes them at once (no clock advance); counted by the failed round, they count once.
        var next = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        while (await next.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(new QueueStats(0, 0, 0), await queue.StatsAsync());
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_heartbeat_that_fails_once_on_the_store_keeps_extending_the_rounds_claims()
    {
        // A short visibility window (the heartbeat beats every third of it, on the real clock) so a held round outlives it.
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false, s => s["Gateway:Sampling:QueueVisibility"] = "00:00:06");
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 4);

        // A round held up (by slow judge calls, say) past its window, whose first heartbeat meets a brownout.
        var slow = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        var beats = 0;
        slow.BeforeExtend = () => Interlocked.Increment(ref beats) == 1
            ? throw new RedisTimeoutException(CommandFlags.None, "Timeout awaiting the extension", CommandStatus.Sent)
            : Task.CompletedTask;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slow.BeforeAck = _ => held.Task;
        var round = slow.RunOnceAsync(Ct);

        // Four beats, about 8 s: past the claims' first deadline (6 s), which only the beats after the failed one moved.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref beats) >= 4), TimeSpan.FromSeconds(30)), $"{beats} heartbeats");

        // The claims are still the held round's: another evaluator finds nothing to take (nor judges them again).
        var other = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        Assert.Equal(0, await other.RunOnceAsync(Ct));

        held.SetResult();
        Assert.Equal(sent, await round);
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_batch_redelivered_after_its_count_landed_still_lists_its_series()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 4);
        var behaviour = gateway.GetRequiredService<BehaviourStore>();

        // The counting step lands, then the round fails right after it (a store error, or the worker dying there).
        behaviour.AfterCount = _ => throw new InvalidOperationException("failed after the count");
        var worker = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        Assert.Equal(sent, await worker.RunOnceAsync(Ct));
        behaviour.AfterCount = null;

        // Redelivered and found counted: acked without scoring, and the series is listed and readable all the same.
        while (await worker.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(new QueueStats(0, 0, 0), await gateway.GetRequiredService<SampleStore>().Queue.StatsAsync());
        Assert.Contains((name, PromptSetup.Environment), await behaviour.ListSeriesAsync());
        Assert.Equal(MetricKind.Rate, (await behaviour.MetricsAsync(name, PromptSetup.Environment))[OnlineMetrics.Error]);
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_counting_step_the_store_times_out_round_after_round_sends_nothing_to_the_dead_letters()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 6);
        var behaviour = gateway.GetRequiredService<BehaviourStore>();
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        var attempts = gateway.GetRequiredService<IOptions<SamplingOptions>>().Value.QueueMaxAttempts;

        // A brownout of the counting step only (the read and the ack get through): each round releases its samples,
        // attempts given back, for more rounds than the queue has attempts.
        behaviour.BeforeCount = _ => throw new RedisTimeoutException(CommandFlags.None, "Timeout awaiting the count", CommandStatus.WaitingToBeSent);
        var worker = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        for (var round = 0; round <= attempts; round++)
        {
            Assert.Equal(sent, await worker.RunOnceAsync(Ct));
            Assert.Equal(new QueueStats(sent, 0, 0), await queue.StatsAsync());
        }

        behaviour.BeforeCount = null;
        while (await worker.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(new QueueStats(0, 0, 0), await queue.StatsAsync());
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_worker_that_dies_right_after_claiming_loses_nothing()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 12);
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.Equal(sent, (await queue.ClaimAsync(100)).Count);

        clock.Advance(TimeSpan.FromMinutes(6));
        var worker = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        while (await worker.RunOnceAsync(Ct) > 0)
        {
        }

        Assert.Equal(new QueueStats(0, 0, 0), await queue.StatsAsync());
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task Workers_racing_on_one_queue_score_every_sample_exactly_once()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false, s => s["Gateway:OnlineEval:BatchSize"] = "3");
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 40);

        var claimed = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var worker = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
            var total = 0;
            for (int n; (n = await worker.RunOnceAsync(Ct)) > 0;)
            {
                total += n;
            }

            return total;
        }));

        var stats = await gateway.GetRequiredService<SampleStore>().Queue.StatsAsync();
        Assert.Equal((sent, new QueueStats(0, 0, 0)), (claimed.Sum(), stats));
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
    }

    [Fact]
    public async Task A_sample_that_cannot_be_read_fails_alone_and_is_dead_lettered_after_its_last_attempt()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false, s => s["Gateway:Sampling:QueueMaxAttempts"] = "3");
        await using var host = gateway;
        var (name, sent) = await ProduceAsync(gateway, 3);
        var queue = await QueuePoisonAsync(gateway);

        var worker = ActivatorUtilities.CreateInstance<OnlineEvaluator>(gateway.Services);
        // Read in one batch with the poison: the readable samples are scored and acked all the same.
        Assert.Equal(sent + 1, await worker.RunOnceAsync(Ct));
        Assert.Equal(sent, await ScoredAsync(gateway, name, clock));
        Assert.Equal(new QueueStats(1, 0, 0), await queue.StatsAsync());
        for (var attempt = 2; attempt <= 3; attempt++)
        {
            Assert.Equal(1, await worker.RunOnceAsync(Ct));
        }

        Assert.Equal(new QueueStats(0, 0, 1), await queue.StatsAsync());
        Assert.Equal(["smp_poison"], await queue.DeadLettersAsync(10));
    }

    [Fact]
    public async Task An_admin_claim_hands_out_the_readable_samples_acks_the_missing_and_releases_the_unreadable()
    {
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false, s => s["Gateway:Sampling:QueueMaxAttempts"] = "1");
        await using var host = gateway;
        var (_, sent) = await ProduceAsync(gateway, 2);
        var queue = await QueuePoisonAsync(gateway, alsoQueued: "smp_gone");
        using var admin = new AdminClient(gateway, TestEnvironment.AdminToken);

        var items = (await admin.PostAsync("/admin/v1/samples/queue/claim?max=10")).Expect(System.Net.HttpStatusCode.OK).Json.GetProperty("items");

        Assert.Equal(sent, items.GetArrayLength());
        Assert.All(items.EnumerateArray(), item =>
        {
            Assert.Equal(item.GetProperty("id").GetString(), item.GetProperty("sample").GetProperty("id").GetString());
            Assert.StartsWith("smp_", item.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.True(SampleIds.IsWellFormed(item.GetProperty("id").GetString()!));
        });
        // The served ones are in flight; the missing one is acked away; the unreadable one, on its last attempt, is dead.
        Assert.Equal(new QueueStats(0, sent, 1), await queue.StatsAsync());
        Assert.Equal(["smp_poison"], await queue.DeadLettersAsync(10));
    }

    [Fact]
    public async Task The_separate_evaluator_process_scores_what_the_gateways_sampled()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var (name, sent) = await ProduceAsync(gateway, 20);

        var prefix = gateway.GetRequiredService<GatewayStore>().Keys.Prefix;
        await using var evaluator = EvaluatorApp.Build(
            ["--urls", "http://127.0.0.1:0", $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = env.StoreConnection,
                ["Redis:KeyPrefix"] = prefix,
                ["Gateway:OnlineEval:PollInterval"] = "00:00:00.050",
                ["Gateway:OnlineEval:DetectChanges"] = "false",
                ["Gateway:Models:gpt-4o-mini:Provider"] = "mock",
                ["Gateway:Providers:mock:Kind"] = "openai",
                ["Gateway:Providers:mock:BaseUrl"] = new Uri(env.MockUrl, "/v1").ToString(),
            }));
        await evaluator.StartAsync(Ct);

        Assert.True(await Eventually.TrueAsync(async () => await ScoredAsync(gateway, name, clock) == sent, TimeSpan.FromSeconds(30)));
        // Counted first, acked right after: the queue empties a moment later.
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.Equal(new QueueStats(0, 0, 0), await Eventually.ResultAsync(queue.StatsAsync, s => s == new QueueStats(0, 0, 0), TimeSpan.FromSeconds(10)));
        using var http = new HttpClient { BaseAddress = new Uri(evaluator.Urls.First()) };
        Assert.Contains("gateway_eval_samples_total", await http.GetStringAsync("/metrics", Ct), StringComparison.Ordinal);
        // Its readiness is the store's: an orchestrator's probe must find it ready (it has no releases to fall back on).
        using var ready = await http.GetAsync("/readyz", Ct);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync(Ct)));
        await evaluator.StopAsync(Ct);
    }

    [Fact]
    public void The_separate_evaluator_refuses_to_start_without_the_fleets_store() =>
        Assert.Contains("Redis:Configuration", Assert.Throws<InvalidOperationException>(() => EvaluatorApp.Build(
            // Empty on the command line, which wins over CI's REDIS_URL environment variable.
            ["--urls", "http://127.0.0.1:0", $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}", "--REDIS_URL=", "--Redis:Configuration="])).Message, StringComparison.Ordinal);

    [Fact]
    public async Task The_separate_evaluator_refuses_sampling_settings_the_gateways_would_refuse()
    {
        // Its retention and per-prompt cap bound which counted samples it remembers: a cap of 0 would forget them all.
        await using var evaluator = EvaluatorApp.Build(
            ["--urls", "http://127.0.0.1:0", $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = env.StoreConnection,
                ["Gateway:Sampling:MaxPerPrompt"] = "0",
            }));

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => evaluator.StartAsync(Ct));

        Assert.Contains("MaxPerPrompt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_separate_evaluator_refuses_a_judge_key_without_the_gateway_url_its_calls_go_through()
    {
        await using var evaluator = EvaluatorApp.Build(
            ["--urls", "http://127.0.0.1:0", $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = env.StoreConnection,
                ["Gateway:OnlineEval:Judge:ApiKey"] = "gwk_judge_key_for_the_test_only_0123456789",
            }));

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => evaluator.StartAsync(Ct));

        Assert.Contains("Gateway:OnlineEval:Judge:BaseUrl", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("gwk_judge_key", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Sends prompt requests until the sample writer has queued one sample each.</summary>
    /// <summary>
    /// Queues <c>smp_poison</c>, stored as a record that is not JSON, and <paramref name="alsoQueued"/> ids, behind what is
    /// queued already; the gateway's sample queue.
    /// </summary>
    private static async Task<WorkQueue> QueuePoisonAsync(GatewayHost gateway, params string[] alsoQueued)
    {
        var store = gateway.GetRequiredService<GatewayStore>();
        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        await store.Database.StringSetAsync(store.Keys.Sample("smp_poison"), "{not json");
        await queue.EnqueueAsync(["smp_poison", .. alsoQueued]);
        return queue;
    }

    private static async Task<(string Name, int Sent)> ProduceAsync(GatewayHost gateway, int count)
    {
        var name = "beh-crash-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        var chat = OpenAiClients.For(gateway, await PromptSetup.KeyAsync(gateway)).GetChatClient("prompt:" + name);
        for (var i = 0; i < count; i++)
        {
            var options = new ChatCompletionOptions();
            options.Patch.Set("$.prompt_variables.company"u8, "Acme");
            await chat.CompleteChatAsync([new UserChatMessage($"question {i}")], options, Ct);
        }

        var queue = gateway.GetRequiredService<SampleStore>().Queue;
        Assert.True(await Eventually.TrueAsync(async () => (await queue.StatsAsync()).Ready == count, TimeSpan.FromSeconds(10)));
        return (name, count);
    }

    /// <summary>How many samples the series hold for the prompt (its error metric counts every scored sample).</summary>
    private static async Task<long> ScoredAsync(GatewayHost gateway, string name, TimeProvider clock)
    {
        var response = await gateway.GetRequiredService<BehaviourQuery>().ReadAsync(new BehaviourRequest(
            name, PromptSetup.Environment, new HashSet<string>(StringComparer.Ordinal) { OnlineMetrics.Error }, false, false,
            clock.GetUtcNow().AddHours(-1), clock.GetUtcNow().AddMinutes(1), 60));
        return response.Series.Count == 0 ? 0 : response.Series[0].Total.Count;
    }
}
