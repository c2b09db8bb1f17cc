using System.Net;
using LlmGateway.Behaviour;
using LlmGateway.Tests.Infrastructure;
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
}
