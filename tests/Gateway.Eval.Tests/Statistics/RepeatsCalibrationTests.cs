using static LlmGateway.Eval.Tests.Statistics.CalibrationSimulation;

namespace LlmGateway.Eval.Tests.Statistics;

/// <summary>Why the bootstrap resamples cases, not runs, when a case is repeated. See <see cref="CalibrationSimulation"/>.</summary>
public sealed class RepeatsCalibrationTests
{
    [Fact]
    public void Resampling_cases_keeps_repeats_from_inflating_false_alarms()
    {
        // Three repeats of a case repeat the same disagreement between the versions; resampling runs would count
        // them as three independent pieces of evidence.
        var (clustered, _, _) = Rates(r => CaseEffects(r, repeats: 3));
        var (runs, _, _) = Rates(r => CaseEffects(r, repeats: 3), flatten: true);
        Report($"A/A with per-case disagreement, 3 repeats: regressed {clustered:P1} resampling cases, {runs:P1} resampling runs");

        Assert.InRange(clustered, 0, 0.05);
        Assert.True(runs > 2 * clustered, $"resampling runs should false-alarm far more ({runs:P1} vs {clustered:P1})");
    }
}
