using System.Net;
using LlmGateway.Behaviour;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// The judge's daily budget counts every judge call the gateway billed: an error that carries a cost (a 504 after
/// attempts its provider went on with) and a call given up before any answer, not only answers that succeeded.
/// </summary>
public sealed class JudgeSpendTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_billed_error_and_a_call_given_up_count_against_the_judges_budget()
    {
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var options = gateway.GetRequiredService<IOptions<OnlineEvalOptions>>().Value;
        options.Judge.ApiKey = "judge-key";
        using var judges = ActivatorUtilities.CreateInstance<JudgeGate>(gateway.Services, Options.Create(options), new JudgeAddress(gateway.GetRequiredService<LlmGateway.Hosting.InProcessApplication>()));
        var prompt = "judge-spend-" + Guid.NewGuid().ToString("N")[..8];
        var plan = new OnlineJudgePlan("gpt-4o-mini", SampleRate: 1, DailyBudgetUsd: 0.01m);

        using (var first = await judges.TryEnterAsync("smp_1", prompt, "production", plan, Ct))
        {
            Assert.NotNull(first);
        }

        // The gateway's 504 after a timed-out attempt, with what that attempt cost.
        using var timedOut = new HttpResponseMessage(HttpStatusCode.GatewayTimeout);
        timedOut.Headers.Add("X-Gateway-Cost-USD", "0.006");
        judges.Bill(prompt, "production", plan.Model, timedOut);
        using (var second = await judges.TryEnterAsync("smp_2", prompt, "production", plan, Ct))
        {
            Assert.NotNull(second);
        }

        // A call given up before any answer: counted at the dearest call seen (0.006), which spends the budget.
        judges.BillUnanswered(prompt, "production", plan.Model);
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                using var third = await judges.TryEnterAsync("smp_3", prompt, "production", plan, Ct);
                return third is null;
            },
            TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task One_environments_judge_spend_does_not_rest_the_judge_of_another()
    {
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var options = gateway.GetRequiredService<IOptions<OnlineEvalOptions>>().Value;
        options.Judge.ApiKey = "judge-key";
        using var judges = ActivatorUtilities.CreateInstance<JudgeGate>(gateway.Services, Options.Create(options), new JudgeAddress(gateway.GetRequiredService<LlmGateway.Hosting.InProcessApplication>()));
        var prompt = "judge-env-" + Guid.NewGuid().ToString("N")[..8];
        var plan = new OnlineJudgePlan("gpt-4o-mini", SampleRate: 1, DailyBudgetUsd: 0.01m);

        // Staging (a release sampled at 100%, a load test there) spends the day's budget...
        using var spent = new HttpResponseMessage(HttpStatusCode.OK);
        spent.Headers.Add("X-Gateway-Cost-USD", "0.02");
        judges.Bill(prompt, "staging", plan.Model, spent);
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                using var staging = await judges.TryEnterAsync("smp_s", prompt, "staging", plan, Ct);
                return staging is null;
            },
            TimeSpan.FromSeconds(5)));

        // ...and production's judge of the same prompt still runs.
        using var production = await judges.TryEnterAsync("smp_p", prompt, "production", plan, Ct);
        Assert.NotNull(production);
    }

    [Fact]
    public async Task Both_arms_of_a_canary_are_held_to_one_judge_budget_the_largest_their_release_serves()
    {
        // One spend counter per prompt and environment, compared with the budget of the sample's own version: past
        // 1 USD the stable arm (budget 1) went unjudged while the canary (budget 5) was still judged, so the arms'
        // judge scores covered different hours.
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        var options = gateway.GetRequiredService<IOptions<OnlineEvalOptions>>().Value;
        options.Judge.ApiKey = "judge-key";
        using var judges = ActivatorUtilities.CreateInstance<JudgeGate>(gateway.Services, Options.Create(options), new JudgeAddress(gateway.GetRequiredService<LlmGateway.Hosting.InProcessApplication>()));

        await HeldToOneBudgetAsync(gateway, judges);
    }

    [Fact]
    public async Task A_separate_evaluator_holds_both_arms_to_the_same_budget_from_the_release_it_reads()
    {
        // Gateway.Evaluator holds no release snapshot: it reads the release from the fleet's store.
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false);
        await using var _ = gateway;
        await using var evaluator = LlmGateway.Hosting.EvaluatorApp.Build(
            ["--urls", "http://127.0.0.1:0", $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = env.StoreConnection,
                ["Redis:KeyPrefix"] = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>().Keys.Prefix,
                ["Gateway:OnlineEval:DetectChanges"] = "false",
                ["Gateway:OnlineEval:Judge:ApiKey"] = "judge-key",
                ["Gateway:OnlineEval:Judge:BaseUrl"] = gateway.BaseUrl.ToString(),
                ["Gateway:Models:gpt-4o-mini:Provider"] = "mock",
                ["Gateway:Providers:mock:Kind"] = "openai",
                ["Gateway:Providers:mock:BaseUrl"] = new Uri(env.MockUrl, "/v1").ToString(),
            }));
        await evaluator.Services.GetRequiredService<LlmGateway.Store.GatewayStore>().StartAsync(Ct);

        await HeldToOneBudgetAsync(gateway, evaluator.Services.GetRequiredService<JudgeGate>());
    }

    /// <summary>
    /// A release of v1 (judge budget 1 USD) with v2 as its canary (5 USD), and a v3 it does not serve (0.5 USD): at 2 USD
    /// spent, a sample of each is judged; past 5 USD, none is.
    /// </summary>
    private static async Task HeldToOneBudgetAsync(GatewayHost gateway, JudgeGate judges)
    {
        var name = "judge-arms-" + Guid.NewGuid().ToString("N")[..8];
        string Judged(int version, string budget) => PromptSetup.Bundle(name, version,
            $$$""","online_eval":{"assert":[{"type":"llm-rubric","value":"Polite?","metric":"polite"}],"judge":{"model":"gpt-4o-mini","sample_rate":1,"daily_budget_usd":{{{budget}}}}}""");
        await PromptSetup.ReleaseAsync(gateway, name, [Judged(1, "1"), Judged(2, "5"), Judged(3, "0.5")], canaryVersion: 2, canaryWeight: 1000);
        var plans = gateway.GetRequiredService<OnlineEvalPlans>();
        var versions = new Dictionary<int, OnlineJudgePlan>();
        foreach (var version in new[] { 1, 2, 3 })
        {
            versions[version] = (await plans.GetAsync(name, version)).Judge!;
        }

        Assert.Equal([1m, 5m, 0.5m], versions.Values.Select(p => p.DailyBudgetUsd));

        async Task<int[]> JudgedAsync(string round)
        {
            var judged = new List<int>();
            foreach (var (version, plan) in versions)
            {
                using var grant = await judges.TryEnterAsync($"smp_{round}_{version}", name, PromptSetup.Environment, plan, Ct);
                if (grant is not null)
                {
                    judged.Add(version);
                }
            }

            return [.. judged];
        }

        // 2 USD spent today by the prompt's judge in the environment (whichever arm's samples it graded).
        Bill(judges, name, "2");
        Assert.True(await Eventually.TrueAsync(async () => await SpentAsync(gateway, name) >= 2m, TimeSpan.FromSeconds(5)));
        var under = await JudgedAsync("under");
        Assert.Equal([1, 2, 3], under);

        // Past the largest budget: every arm rests at once.
        Bill(judges, name, "3.5");
        Assert.True(await Eventually.TrueAsync(async () => (await JudgedAsync("over")).Length == 0, TimeSpan.FromSeconds(5)));
    }

    private static void Bill(JudgeGate judges, string prompt, string usd)
    {
        using var billed = new HttpResponseMessage(HttpStatusCode.OK);
        billed.Headers.Add("X-Gateway-Cost-USD", usd);
        judges.Bill(prompt, PromptSetup.Environment, "gpt-4o-mini", billed);
    }

    /// <summary>The judge spend of the prompt in the test environment, in USD, today's and yesterday's (a test across midnight).</summary>
    private static async Task<decimal> SpentAsync(GatewayHost gateway, string prompt)
    {
        var store = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var total = 0m;
        foreach (var day in new[] { DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-1) })
        {
            var value = await store.Database.StringGetAsync(store.Keys.JudgeSpend(prompt, PromptSetup.Environment, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            total += value.HasValue ? (long)value / 1_000_000_000m : 0m;
        }

        return total;
    }
}
