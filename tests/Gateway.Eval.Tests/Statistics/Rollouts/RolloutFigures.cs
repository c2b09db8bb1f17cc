using System.Globalization;
using LlmGateway.Eval.Statistics.Rollouts;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

/// <summary>
/// The documented simulation (<see cref="RolloutSimulation.Run"/> with its default seed and trials), run once and
/// shared by the calibration tests; docs/canary-analysis.md quotes its <see cref="RolloutSimulationReport.Format"/>.
/// </summary>
internal static class RolloutFigures
{
    private static readonly Lazy<RolloutSimulationReport> Documented = new(() => RolloutSimulation.Run());

    public static RolloutSimulationReport Report => Documented.Value;

    public static RolloutScenarioFigures Scenario(SimulatedCanary canary, bool withShadowStep = false) => Report.Scenario(canary, withShadowStep);

    public static void Write(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
