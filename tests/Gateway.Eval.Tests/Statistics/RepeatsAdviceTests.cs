using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Statistics;

public sealed class RepeatsAdviceTests
{
    [Fact]
    public void Run_to_run_noise_is_what_repeats_average_away()
    {
        // Every case has the same true difference, 0 (no between-case spread); each run adds ±1 of noise.
        var random = new Random(11);
        var samples = Samples(cases: 400, repeats: 2, (_, _) => random.Next(2) == 0 ? 1.0 : -1.0);

        var needed = RepeatsAdvice.RepeatsNeeded(samples, shrink: 4);

        // Variance ∝ 1/r with no between-case part: a quarter of it takes about four times the repeats.
        Assert.NotNull(needed);
        Assert.InRange(needed.Value, 6, 11);
    }

    [Fact]
    public void Between_case_spread_cannot_be_repeated_away()
    {
        // Each case's repeats agree exactly, so all variance is between cases.
        var samples = Samples(cases: 50, repeats: 3, (c, _) => c % 2 == 0 ? 1.0 : -1.0);

        Assert.Null(RepeatsAdvice.RepeatsNeeded(samples, shrink: 2));
    }

    [Fact]
    public void One_repeat_cannot_tell_the_two_apart()
    {
        Assert.Null(RepeatsAdvice.RepeatsNeeded(Samples(cases: 50, repeats: 1, (c, _) => c % 3), shrink: 2));
    }

    private static PairedSamples Samples(int cases, int repeats, Func<int, int, double> difference)
    {
        var baseline = new List<IReadOnlyList<double>>();
        var candidate = new List<IReadOnlyList<double>>();
        for (var c = 0; c < cases; c++)
        {
            baseline.Add(new double[repeats]);
            candidate.Add(Enumerable.Range(0, repeats).Select(r => difference(c, r)).ToArray());
        }

        return PairedSamples.FromCases(baseline, candidate);
    }
}
