using static LlmGateway.Eval.Tests.Statistics.Sequential.AdaptiveSimulation;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// The calls goal of issue #13 and the full figures table the README reports: <c>--repeats auto --max-calls 1200</c>
/// against the fixed 10-repeat design (1,200 calls) on the same simulated data. See <see cref="AdaptiveSimulation"/>;
/// the false-alarm and power goals have their own classes so the scenarios simulate in parallel.
/// </summary>
public sealed class AdaptiveRepeatsCalibrationTests
{
    [Fact]
    public void Adaptive_repeats_spend_at_most_40_percent_of_the_fixed_designs_calls()
    {
        // The mix: a neutral version, a subtle and a large regression, equally weighted.
        var mix = new[] { Neutral, Subtle, Large }.Average(s => Measure(s).Adaptive.CallsFraction);
        Report($"Mean calls over neutral, subtle and large, equally weighted: {Pct(mix)} of the fixed 10-repeat design's");

        Assert.InRange(mix, 0, 0.40);
        Assert.InRange(Measure(Large).Adaptive.CallsFraction, 0, 0.20);
    }

    [Fact]
    public void Figures_table()
    {
        Report(Header);
        foreach (var scenario in All)
        {
            Report(Measure(scenario).Row);
        }
    }
}
