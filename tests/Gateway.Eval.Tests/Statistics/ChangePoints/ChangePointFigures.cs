using System.Globalization;
using LlmGateway.Eval.Statistics.ChangePoints;

namespace LlmGateway.Eval.Tests.Statistics.ChangePoints;

/// <summary>
/// The documented simulation (<see cref="ChangePointSimulation.Run"/> with its default seed and trials), run once and
/// shared by the calibration tests; docs/change-detection.md quotes its <see cref="ChangePointSimulationReport.Format"/>.
/// </summary>
internal static class ChangePointFigures
{
    private static readonly Lazy<ChangePointSimulationReport> Documented = new(() => ChangePointSimulation.Run());

    public static ChangePointSimulationReport Report => Documented.Value;

    public static FalseAlarmFigures FalseAlarms(double samplesPerMinute) => Report.FalseAlarms.Single(f => f.SamplesPerMinute == samplesPerMinute);

    public static PowerFigures Power(SimulatedStep step, double samplesPerMinute) =>
        Report.Power.Single(p => p.Step == step && p.SamplesPerMinute == samplesPerMinute);

    public static void Write(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
