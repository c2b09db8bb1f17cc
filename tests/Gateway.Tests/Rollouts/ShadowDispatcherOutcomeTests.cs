using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Releases;
using LlmGateway.Shadow;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// The shadow dispatcher's outcomes other than <c>answered</c>, each read on <c>gateway.shadow.calls</c> of a gateway of
/// the test's own (so no other test's copies are counted): a candidate that fails, one that never answers, a shadow
/// budget that refuses, and a queue that overflows. In every case the client gets its stable answer, unchanged and at once.
/// Also the copies kept out of the pairs, whose failure is not the candidate's: one the provider throttles, and one cut
/// by its timeout while its stable answer took as long.
/// Also what a stop does to the copies in flight (billed, not sampled), and the warning for a copy that outlives its deadline.
/// </summary>
public sealed partial class ShadowDispatcherOutcomeTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>How long a counted outcome may take to appear: far above what any of them needs.</summary>
    private static readonly TimeSpan SignalBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_candidate_that_answers_an_error_is_counted_failed_and_the_client_keeps_its_stable_answer()
    {
        await using var gateway = await StartGatewayAsync();
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-failed", "[[mock:error=1]]");
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        var before = await AskAsync(client, name, company);
        await ShadowStep.StartAsync(gateway, name);
        var during = await AskAsync(client, name, company);

        // The copy reached the candidate's provider, which answered it 500.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(CandidateCalls(company) > 0), SignalBound));
        await calls.WaitForAsync("failed", 1);
        Assert.Equal(Counts(("failed", 1)), calls.Snapshot());
        // The client's answer is the one it got before the shadow step: the stable version's, 200.
        Assert.Equal(HttpStatusCode.OK, during.Status);
        Assert.Equal(("1", "stable"), (during.Version, during.Variant));
        Assert.Contains($"v1 for {company}", during.Body, StringComparison.Ordinal);
        Assert.Equal(Normalize(before.Body), Normalize(during.Body));
    }

    [Fact]
    public async Task A_candidates_failures_never_take_the_provider_out_of_rotation_for_stable_traffic()
    {
        // One failure would open the provider's breaker, were a copy's failure counted.
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:mock:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Providers:mock:Resilience:BreakSeconds"] = "300";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-health", "[[mock:error=1]]");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        await AskAsync(client, name, company);
        await calls.WaitForAsync("failed", 1);
        await AskAsync(client, name, company);
        await calls.WaitForAsync("failed", 2);
        var after = await AskAsync(client, name, company);

        // Two copies answered 500 by the same provider destination; the stable request after them is still served.
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(("1", "stable"), (after.Version, after.Variant));
    }

    [Fact]
    public async Task A_candidate_that_never_answers_is_counted_timeout_after_Gateway_Shadow_Timeout()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:Timeout"] = "00:00:01";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-timeout", "[[mock:latency-ms=600000]]");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        var answer = await AskAsync(client, name, company);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("1", "stable"), (answer.Version, answer.Variant));
        Assert.Contains($"v1 for {company}", answer.Body, StringComparison.Ordinal);
        // The copy was sent (the candidate's provider holds it), then abandoned after 1 s, well before its 10 minutes.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(CandidateCalls(company) > 0), SignalBound));
        await calls.WaitForAsync("timeout", 1);
        Assert.Equal(Counts(("timeout", 1)), calls.Snapshot());
        // The stable answer came at once: the copy's slowness is the candidate's, and it is sampled, paired.
        await AssertTheOneCopySampledIsPairedWithAsync(gateway, name, answer);
    }

    [Fact]
    public async Task A_copy_cut_by_its_timeout_while_its_stable_answer_took_as_long_is_counted_censored_and_never_paired()
    {
        // The stable path allows an answer its model's whole total time (10 minutes here), a copy only 1 s.
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:Timeout"] = "00:00:01";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-censored", "");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        // The mock's script for the test's requests, in the order they reach it: the first stable answer and its copy
        // take 3 s each (an equivalent candidate, as slow as the stable version on this input); then a stable answer
        // at once, whose copy never comes. 3 s, not 1.5: on a loaded box the copy's 1 s deadline fired more than half a
        // second late once, the copy answered whole first, and it was sampled (a CI run on embedded Garnet).
        var knobs = Knobs(("x-mock-schedule", "slow:3000,slow:3000,ok,slow:600000"));

        var slow = await AskAsync(client, name, company, knobs);
        Assert.Equal((HttpStatusCode.OK, "1", "stable"), (slow.Status, slow.Version, slow.Variant));
        // Cut at 1 s, as the stable answer would have been: not the candidate's failure.
        await calls.WaitForAsync("censored", 1);
        var fast = await AskAsync(client, name, company, knobs);
        Assert.Equal((HttpStatusCode.OK, "1", "stable"), (fast.Status, fast.Version, fast.Variant));
        // Cut at 1 s where the stable answer was not: the candidate's own slowness.
        await calls.WaitForAsync("timeout", 1);

        Assert.Equal(Counts(("censored", 1), ("timeout", 1)), calls.Snapshot());
        // The censored copy has no sample, so nothing pairs it as the candidate's error; the other copy's does.
        await AssertTheOneCopySampledIsPairedWithAsync(gateway, name, fast);
    }

    [Fact]
    public async Task A_copy_the_provider_throttles_is_counted_throttled_and_never_paired()
    {
        await using var gateway = await StartGatewayAsync();
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-throttled", "");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        // The candidate shares the stable version's rate limit, and the copies add to the load: the first stable
        // request is answered, its copy throttled with a Retry-After longer than the gateway waits (so answered 429, as
        // a throttled stable request is, which is never copied); the second stable request and its copy are answered.
        var knobs = Knobs(("x-mock-schedule", "ok,429,ok,ok"), ("x-mock-retry-after", "60"));

        var first = await AskAsync(client, name, company, knobs);
        Assert.Equal((HttpStatusCode.OK, "1", "stable"), (first.Status, first.Version, first.Variant));
        await calls.WaitForAsync("throttled", 1);
        var second = await AskAsync(client, name, company, knobs);
        Assert.Equal((HttpStatusCode.OK, "1", "stable"), (second.Status, second.Version, second.Variant));
        await calls.WaitForAsync("answered", 1);

        Assert.Equal(Counts(("throttled", 1), ("answered", 1)), calls.Snapshot());
        Assert.Equal(2, CandidateCalls(company));
        // The throttled copy has no sample, so nothing pairs it as the candidate's error; the answered one's does.
        await AssertTheOneCopySampledIsPairedWithAsync(gateway, name, second);
    }

    /// <summary>
    /// The prompt's only shadow sample is the copy of <paramref name="stable"/>'s request, paired with its sample. An
    /// earlier copy's sample would have been written before it (the writer keeps the order it was offered in), so once
    /// this one is listed, any other would be too.
    /// </summary>
    private static async Task AssertTheOneCopySampledIsPairedWithAsync(GatewayHost gateway, string name, Answer stable)
    {
        var copies = await LlmGateway.Tests.Sampling.SampleWaiter.ListAsync(gateway, $"prompt={name}&variant=shadow", 1, SignalBound);
        var copy = await LlmGateway.Tests.Sampling.SampleWaiter.GetAsync(gateway, Assert.Single(copies).GetProperty("id").GetString()!);
        var paired = await LlmGateway.Tests.Sampling.SampleWaiter.GetAsync(gateway, copy.GetProperty("paired_with").GetString()!);
        Assert.Equal(("stable", stable.RequestId), (paired.GetProperty("variant").GetString(), paired.GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task Copies_over_the_shadow_budget_are_counted_over_budget_and_never_billed_to_the_client_key()
    {
        // The smallest budget the options allow: any copy's worst-case reservation (its prompt plus the model's whole
        // output limit) is over it, so the shadow principal's budget refuses every copy with 429 budget_exceeded.
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:DailyBudgetUsd"] = "0.000001";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-budget", "");
        await ShadowStep.StartAsync(gateway, name);
        var (key, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("shadow-budget-client", PromptSetup.Environment, [], new KeyLimits(1m, null, null));
        using var client = gateway.CreateClient(secret);

        var day = DateTimeOffset.UtcNow;
        var first = await AskAsync(client, name, company);
        var second = await AskAsync(client, name, company);

        foreach (var answer in (Answer[])[first, second])
        {
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal(("1", "stable"), (answer.Version, answer.Variant));
            Assert.Contains($"v1 for {company}", answer.Body, StringComparison.Ordinal);
        }

        await calls.WaitForAsync("over_budget", 2);
        Assert.Equal(Counts(("over_budget", 2)), calls.Snapshot());
        // Refused before forwarding: the candidate's provider never saw a copy.
        Assert.Equal(0, CandidateCalls(company));

        // The client key's budget holds exactly what its own two answers cost (settled before each answer ended),
        // nothing reserved or spent for the copies.
        var clientCost = first.CostUsd + second.CostUsd;
        Assert.True(clientCost > 0, $"the stable answers cost {clientCost} USD");
        Assert.Equal(Nano(clientCost), await BudgetSpentAsync(gateway, key.Id, day));

        // ... and its usage is its two stable requests alone.
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var usage = await Eventually.ResultAsync(
            async () => (await viewer.GetAsync($"/admin/v1/usage?groupBy=key,variant&prompt={name}")).Expect(HttpStatusCode.OK).Json,
            rows => rows.EnumerateArray().Any(r => r.GetProperty("group").GetProperty("key").GetString() == key.Id && r.GetProperty("requests").GetInt64() >= 2),
            SignalBound);
        var own = usage.EnumerateArray()
            .Where(r => r.GetProperty("group").GetProperty("key").GetString() == key.Id)
            .Select(r => $"{r.GetProperty("group").GetProperty("variant").GetString()}: {r.GetProperty("requests").GetInt64()}")
            .ToList();
        Assert.Equal(["stable: 2"], own);
    }

    [Fact]
    public async Task A_copy_to_an_unpriced_candidate_is_refused_even_where_unpriced_models_are_let_through()
    {
        // Unpriced models pass for ordinary keys here; the shadow budget could be neither enforced nor counted on one.
        var settings = env.GatewaySettings();
        settings["Gateway:Budgets:RefuseUnpricedModels"] = "false";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-unpriced", "", candidateModel: "gpt-4o");
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        // A rollout refuses such a shadow step at its start; a release written to the store by hand is obeyed as it is,
        // and its copies meet the budget's own refusal.
        var refused = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{ShadowStep.Plan}}}""");
        var error = refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Contains(error.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "plan.steps[0].shadow");
        var store = gateway.GetRequiredService<GatewayStore>();
        var release = System.Text.Json.Nodes.JsonNode.Parse((string)(await store.Database.StringGetAsync(store.Keys.Release(name, PromptSetup.Environment)))!)!;
        release["canary"] = 2;
        release["canary_weight"] = 0;
        release["shadow_share"] = 10_000;
        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), release.ToJsonString());
        var snapshots = gateway.GetRequiredService<ReleaseSnapshotProvider>();
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(snapshots.Current.TryGet(name, PromptSetup.Environment, out var release) && release.Record.ShadowShare == 10_000),
            TimeSpan.FromSeconds(10)));
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        var answer = await AskAsync(client, name, company);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        await calls.WaitForAsync("failed", 1);
        Assert.Equal(Counts(("failed", 1)), calls.Snapshot());
        Assert.Equal(0, CandidateCalls(company));
    }

    [Fact]
    public async Task A_copy_whose_priced_candidate_fails_is_never_served_by_an_unpriced_fallback()
    {
        // The candidate's own model has a price (so the rollout admits the shadow step) and cannot be reached; its
        // fallback has none. Ordinary keys may be served by it here; the shadow budget could count nothing it spends.
        var settings = env.GatewaySettings();
        settings["Gateway:Budgets:RefuseUnpricedModels"] = "false";
        settings["Gateway:Models:priced-primary:Provider"] = "dead";
        settings["Gateway:Models:priced-primary:UpstreamModel"] = "gpt-4o-mini";
        settings["Gateway:Models:priced-primary:Fallbacks:0"] = "unpriced-fallback";
        settings["Gateway:Models:unpriced-fallback:Provider"] = "mock";
        settings["Gateway:Models:unpriced-fallback:UpstreamModel"] = "house-unpriced";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-unpriced-fallback", "", candidateModel: "priced-primary");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        var answer = await AskAsync(client, name, company);

        Assert.Equal((HttpStatusCode.OK, "1", "stable"), (answer.Status, answer.Version, answer.Variant));
        await calls.WaitForAsync("failed", 1);
        Assert.Equal(Counts(("failed", 1)), calls.Snapshot());
        Assert.Equal(0, CandidateCalls(company));
    }

    [Fact]
    public async Task Behind_a_narrowed_AllowedHosts_a_copy_is_answered_under_the_clients_host()
    {
        await using var gateway = await StartGatewayAsync();
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-hosts", "");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        // From here the gateway serves only its public name: the host filter follows a configuration reload.
        var configuration = (IConfigurationRoot)gateway.GetRequiredService<IConfiguration>();
        configuration["AllowedHosts"] = "gateway.example";
        configuration.Reload();
        var unnamed = await AskAsync(client, name, company);
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.Status);

        client.DefaultRequestHeaders.Host = "gateway.example";
        var answer = await AskAsync(client, name, company);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("1", "stable"), (answer.Version, answer.Variant));
        // The copy went through the same filter under the client's host, not the loopback address the gateway listens on.
        await calls.WaitForAsync("answered", 1);
        Assert.Equal(Counts(("answered", 1)), calls.Snapshot());
        Assert.Equal(1, CandidateCalls(company));
    }

    [Fact]
    public async Task Copies_past_the_queue_are_dropped_and_their_clients_are_answered_at_once()
    {
        // One sender, one waiting place, and a candidate that holds its copy for 10 minutes (the copy is given 5).
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:MaxConcurrency"] = "1";
        settings["Gateway:Shadow:QueueCapacity"] = "1";
        settings["Gateway:Shadow:Timeout"] = "00:05:00";
        await using var gateway = await StartGatewayAsync(settings);
        using var calls = new ShadowCalls(gateway);
        var (name, company) = await ReleaseAsync(gateway, "shadow-dropped", "[[mock:latency-ms=600000]]");
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        // The first copy takes the one sender: it is at the candidate's provider, and stays there.
        var answers = new List<Answer> { await AskAsync(client, name, company) };
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(CandidateCalls(company) == 1), SignalBound));

        // Five more: one copy waits in the queue, the four after it find the queue full.
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await AskAsync(client, name, company));
        }

        Assert.All(answers, answer =>
        {
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal(("1", "stable"), (answer.Version, answer.Variant));
            Assert.Contains($"v1 for {company}", answer.Body, StringComparison.Ordinal);
        });
        await calls.WaitForAsync("dropped", 4);
        Assert.Equal(Counts(("dropped", 4)), calls.Snapshot());
        Assert.Equal(1, gateway.GetRequiredService<ShadowDispatcher>().Queued);
        Assert.Equal(1, CandidateCalls(company));
    }

    [Fact]
    public async Task A_gateway_that_stops_with_a_copy_in_flight_bills_the_copy_it_cut_and_keeps_it_out_of_the_pairs()
    {
        // A candidate that holds its copy for 10 minutes, and a copy given 5: only the stop can end it.
        var name = await StopWithACopyInFlightAsync("shadow-stop", "[[mock:latency-ms=600000]]", async (client, name, company) =>
        {
            var answer = await AskAsync(client, name, company);
            Assert.Equal(("1", "stable"), (answer.Version, answer.Variant));
        });

        await AssertTheCutCopyIsBilledNotSampledAsync(name);
    }

    [Fact]
    public async Task A_streamed_copy_the_stop_cuts_after_its_answer_started_is_not_sampled_either()
    {
        var hold = "shadow-stop-" + Guid.NewGuid().ToString("N");
        var name = await StopWithACopyInFlightAsync("shadow-stop-stream", "", async (client, name, company) =>
        {
            // The mock holds a stream carrying the token after its first chunk: released once in advance, the client's
            // stable stream passes; its copy (the same forwarded header) then holds with its answer started.
            using var mock = new HttpClient { BaseAddress = env.MockUrl };
            (await mock.PostAsync(new Uri($"/mock/release/{hold}", UriKind.Relative), null, Ct)).EnsureSuccessStatusCode();
            var json = $$"""
                {"model":"prompt:{{name}}","prompt_variables":{"company":"{{company}}"},"stream":true,
                 "messages":[{"role":"user","content":"Where is my parcel?"}],"user":"same-user"}
                """;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            request.Headers.Add("x-mock-hold", hold);
            using var response = await client.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        });

        // The stop cut an answer already under way (status 200, not whole).
        await AssertTheCutCopyIsBilledNotSampledAsync(name);
    }

    [Fact]
    public async Task A_copy_whose_pipeline_ignores_its_deadline_is_reported_overdue_and_still_waited_for()
    {
        // A stage of the test's own that holds every copy until released, heeding no abort: what the warning is for.
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:Timeout"] = "00:00:01";
        settings["Gateway:Shadow:MaxConcurrency"] = "1";
        var logs = new CapturingLoggerProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var gateway = await StartGatewayAsync(settings, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Services.AddSingleton<IStartupFilter>(new DeafToCopies(release.Task));
        });
        try
        {
            using var calls = new ShadowCalls(gateway);
            var (name, company) = await ReleaseAsync(gateway, "shadow-overdue", "");
            await ShadowStep.StartAsync(gateway, name);
            using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

            var answer = await AskAsync(client, name, company);
            Assert.Equal(("1", "stable"), (answer.Version, answer.Variant));

            // Its deadline (1 s) plus the 5 s of grace pass: the sender says so, and keeps waiting (MaxConcurrency holds).
            Assert.True(await Eventually.TrueAsync(
                () => Task.FromResult(logs.Lines.Any(l => l.Category == typeof(ShadowDispatcher).FullName && l.Text.Contains("past its deadline", StringComparison.Ordinal))),
                SignalBound));
            Assert.Empty(calls.Snapshot());

            // Released, the copy ends as past its deadline, and is counted so.
            release.TrySetResult();
            await calls.WaitForAsync("timeout", 1);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>A first stage that holds a shadow copy until <paramref name="release"/>, whatever aborts it.</summary>
    private sealed class DeafToCopies(Task release) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate rest) =>
            {
                if (context.Features.Get<ShadowCopy>() is not null)
                {
                    await release;
                }

                await rest(context);
            });
            next(app);
        };
    }

    /// <summary>
    /// After a gateway stopped with a copy of <paramref name="name"/> in flight (the gateway waited for the copy's
    /// pipeline to end before its usage and sample writers flushed), read from another gateway on the same store: the
    /// copy is billed, but not sampled, since its error is the stop's, not the candidate's, and would pair against a
    /// stable answer no stop cut. The stop has flushed every writer: nothing of that gateway's can still arrive.
    /// </summary>
    private async Task AssertTheCutCopyIsBilledNotSampledAsync(string name)
    {
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.AdminToken);
        var usage = await Eventually.ResultAsync(
            async () => (await viewer.GetAsync($"/admin/v1/usage?groupBy=variant&prompt={name}")).Expect(HttpStatusCode.OK).Json,
            rows => rows.EnumerateArray().Any(r => r.GetProperty("group").GetProperty("variant").GetString() == "shadow"),
            SignalBound);
        var shadow = Assert.Single(usage.EnumerateArray(), r => r.GetProperty("group").GetProperty("variant").GetString() == "shadow");
        Assert.Equal(1, shadow.GetProperty("requests").GetInt64());

        var all = await LlmGateway.Tests.Sampling.SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1, SignalBound);
        Assert.Equal("stable", Assert.Single(all).GetProperty("variant").GetString());
    }

    /// <summary>
    /// A gateway of the test's own, stopped within 2 s: a copy still held by the candidate's provider outlives neither
    /// the test nor its shutdown.
    /// </summary>
    private Task<GatewayHost> StartGatewayAsync(Dictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        settings ??= env.GatewaySettings();
        settings["shutdownTimeoutSeconds"] = "2";
        return GatewayHost.StartAsync(settings, configure);
    }

    /// <summary>
    /// A gateway of the test's own in a shadow step (copies given 5 minutes), whose client <paramref name="ask"/>s once
    /// (the client, the prompt's name, its company); stopped once the copy has reached the candidate's provider.
    /// Returns the prompt's name.
    /// </summary>
    private async Task<string> StopWithACopyInFlightAsync(string prefix, string directive, Func<HttpClient, string, string, Task> ask)
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:Timeout"] = "00:05:00";
        await using var gateway = await StartGatewayAsync(settings);
        var (name, company) = await ReleaseAsync(gateway, prefix, directive);
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        await ask(client, name, company);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(CandidateCalls(company) == 1), SignalBound));
        return name;
    }

    /// <summary>v1 (stable) and v2 (the candidate, with the mock's <paramref name="directive"/>), each naming the test's company.</summary>
    private static async Task<(string Name, string Company)> ReleaseAsync(GatewayHost gateway, string prefix, string directive, string candidateModel = "gpt-4o-mini")
    {
        var name = Bundles.UniqueName(prefix);
        var company = "Acme-" + Guid.NewGuid().ToString("N")[..8];
        var candidate = $$$"""
            {"name":"{{{name}}}","model":"{{{candidateModel}}}",
             "messages":[{"role":"system","content":"v2 for {{ company }} {{{directive}}}"}],
             "variables":[{"name":"company","required":true}]}
            """;
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), candidate]);
        return (name, company);
    }

    /// <summary>
    /// One non-streamed request, bounded well below any copy's wait: a client held for its copy (by a hung candidate,
    /// a full queue) fails here.
    /// </summary>
    private static async Task<Answer> AskAsync(HttpClient client, string name, string company, params (string Name, string Value)[] headers)
    {
        var json = $$"""
            {"model":"prompt:{{name}}","prompt_variables":{"company":"{{company}}"},
             "messages":[{"role":"user","content":"Where is my parcel?"}],"user":"same-user"}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        foreach (var (header, value) in headers)
        {
            request.Headers.Add(header, value);
        }

        using var response = await client.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var cost = response.Headers.TryGetValues("X-Gateway-Cost-USD", out var costs) && decimal.TryParse(costs.Single(), NumberStyles.Float, CultureInfo.InvariantCulture, out var c) ? c : 0m;
        return new Answer(response.StatusCode, Header(response, "X-Prompt-Version"), Header(response, "X-Prompt-Variant"), body, cost, Header(response, "X-Request-Id"));
    }

    /// <summary>The mock's knobs for one test's requests, under a tag of their own (a script's steps count per tag).</summary>
    private static (string Name, string Value)[] Knobs(params (string Name, string Value)[] knobs) =>
        [("x-mock-tag", "shadow-" + Guid.NewGuid().ToString("N")), .. knobs];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>Requests the candidate version (v2, this test's company) sent to the mock provider.</summary>
    private int CandidateCalls(string company) =>
        env.Received.Snapshot().Count(r => r.Body.Contains($"v2 for {company}", StringComparison.Ordinal));

    /// <summary>The key's settled daily spend in nano-USD, the counter every later request of the key is judged against.</summary>
    private static async Task<long> BudgetSpentAsync(GatewayHost gateway, string keyId, DateTimeOffset before)
    {
        var store = gateway.GetRequiredService<GatewayStore>();
        long spent = 0;
        // Both days, should the requests have crossed midnight UTC.
        foreach (var day in new[] { before, DateTimeOffset.UtcNow }.Select(d => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture)).Distinct())
        {
            var value = await store.Database.StringGetAsync($"{store.Keys.Prefix}:{{budget:{keyId}}}:day:{day}");
            spent += value.IsNull ? 0 : (long)value;
        }

        return spent;
    }

    private static long Nano(decimal usd) => (long)(usd * 1_000_000_000m);

    private static Dictionary<string, long> Counts(params (string Outcome, long Count)[] counts) =>
        counts.ToDictionary(c => c.Outcome, c => c.Count, StringComparer.Ordinal);

    /// <summary>The mock numbers its ids and stamps the time; everything else must be the same bytes.</summary>
    private static string Normalize(string body) => CreatedField().Replace(MockId().Replace(body, "mock-N"), "\"created\":T");

    [GeneratedRegex(@"mock-\d+")]
    private static partial Regex MockId();

    [GeneratedRegex(@"""created"":\d+")]
    private static partial Regex CreatedField();

    private sealed record Answer(HttpStatusCode Status, string? Version, string? Variant, string Body, decimal CostUsd, string? RequestId);

    /// <summary>
    /// <c>gateway.shadow.calls</c> of one gateway, by outcome: only the instrument of that host's own
    /// <see cref="IMeterFactory"/>, never another gateway's in this process.
    /// </summary>
    private sealed class ShadowCalls : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
        private int _instruments;

        public ShadowCalls(GatewayHost gateway)
        {
            var scope = gateway.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "gateway.shadow.calls" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    Interlocked.Increment(ref _instruments);
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var outcome = "(none)";
                foreach (var tag in tags)
                {
                    if (tag.Key == "outcome")
                    {
                        outcome = tag.Value as string ?? "(none)";
                    }
                }

                _counts.AddOrUpdate(outcome, value, (_, total) => total + value);
            });
            _listener.Start();
        }

        /// <summary>The dispatcher is a hosted service: its counter exists once the gateway has started.</summary>
        public int Instruments => Volatile.Read(ref _instruments);

        public Dictionary<string, long> Snapshot() => new(_counts, StringComparer.Ordinal);

        /// <summary>Waits until <paramref name="outcome"/> has been counted at least <paramref name="count"/> times.</summary>
        public async Task WaitForAsync(string outcome, long count)
        {
            Assert.Equal(1, Instruments);
            var reached = await Eventually.TrueAsync(() => Task.FromResult(_counts.GetValueOrDefault(outcome) >= count), SignalBound);
            Assert.True(reached, $"'{outcome}' counted {_counts.GetValueOrDefault(outcome)} times in {SignalBound.TotalSeconds} s, expected {count}; all: {JsonSerializer.Serialize(Snapshot())}");
        }

        public void Dispose() => _listener.Dispose();
    }
}
