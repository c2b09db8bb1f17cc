using static LlmGateway.Eval.Tests.Statistics.Sequential.AdaptiveSimulation;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>Every design's figures on one scenario, measured on the same simulated data.</summary>
/// <param name="NoFutility">The adaptive planner with futility stopping turned off: what futility costs in power and saves in calls.</param>
internal sealed record ScenarioFigures(
    AdaptiveScenario Scenario,
    DesignFigures Fixed10,
    DesignFigures Fixed1,
    DesignFigures Adaptive,
    DesignFigures NoFutility,
    DesignFigures Naive)
{
    /// <summary>A Markdown table row under <see cref="AdaptiveSimulation.Header"/>.</summary>
    public string Row =>
        $"| {Scenario.Name} | {Pct(Fixed1.GateFailed)} | {Pct(Fixed10.GateFailed)} | **{Pct(Adaptive.GateFailed)}** | **{Pct(Adaptive.CallsFraction)}** | {Pct(NoFutility.GateFailed)} / {Pct(NoFutility.CallsFraction)} | {Pct(Naive.GateFailed)} / {Pct(Naive.CallsFraction)} |";
}
