using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// A gateway of its own for online evaluation: its own key prefix (so its evaluator has the sample queue to
/// itself), every prompt request sampled, the shifted clock, and the evaluator on or off.
/// </summary>
internal static class OnlineEvaluationGateway
{
    public static async Task<(GatewayHost Gateway, ShiftedTimeProvider Clock)> StartAsync(
        TestEnvironment env, bool evaluator, Action<Dictionary<string, string?>>? settings = null)
    {
        var clock = new ShiftedTimeProvider();
        var config = env.GatewaySettings();
        config["Redis:KeyPrefix"] = "gwbeh-" + Guid.NewGuid().ToString("N")[..8];
        config["Gateway:Sampling:StableRate"] = "1";
        config["Gateway:Sampling:CanaryRate"] = "1";
        config["Gateway:OnlineEval:Enabled"] = evaluator ? "true" : "false";
        config["Gateway:OnlineEval:PollInterval"] = "00:00:00.050";
        // The tests look for changes themselves, at the moments they choose.
        config["Gateway:OnlineEval:DetectChanges"] = "false";
        settings?.Invoke(config);
        var gateway = await GatewayHost.StartAsync(config, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        return (gateway, clock);
    }
}
