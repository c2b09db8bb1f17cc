using LlmGateway.Behaviour;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Behaviour;

/// <summary>A version's online_eval plan when the catalog under it changed since the push.</summary>
public sealed class OnlineEvalPlansTests(TestEnvironment env)
{
    [Fact]
    public async Task A_judge_model_gone_from_the_catalog_drops_only_the_judges_assertions()
    {
        // Pushed through a gateway whose catalog has the judge's model...
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-p-" + Guid.NewGuid().ToString("N")[..8];
        settings["Gateway:Models:judge-only:Provider"] = "mock";
        var name = "beh-plan-" + Guid.NewGuid().ToString("N")[..8];
        await using (var pusher = await GatewayHost.StartAsync(settings))
        {
            var bundle = PromptSetup.Bundle(name, 1, ""","online_eval":{"assert":[{"type":"llm-rubric","value":"Polite?","metric":"polite"},{"type":"icontains","value":"mock reply","metric":"echo"}],"judge":{"model":"judge-only","sample_rate":1}}""");
            await PromptSetup.ReleaseAsync(pusher, name, [bundle]);
        }

        // ...read by an evaluator whose catalog does not have it.
        settings.Remove("Gateway:Models:judge-only:Provider");
        await using var evaluator = await GatewayHost.StartAsync(settings);
        var plan = await evaluator.GetRequiredService<OnlineEvalPlans>().GetAsync(name, 1);

        Assert.Null(plan.Judge);
        Assert.Equal(["echo"], plan.Assertions.Select(a => a.Metric));
    }
}
