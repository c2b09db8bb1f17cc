using System.Numerics;
using CsCheck;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Statistics;

public sealed class McNemarExactTests
{
    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(1, 0, 1.0)]
    [InlineData(10, 0, 0.001953125)]
    [InlineData(0, 10, 0.001953125)]
    [InlineData(5, 5, 1.0)]
    [InlineData(7, 2, 0.1796875)]
    [InlineData(2, 7, 0.1796875)]
    [InlineData(6, 5, 1.0)]
    [InlineData(20, 5, 0.004077315330505371)]
    public void Known_p_values(int b, int c, double expected)
    {
        var result = McNemarExact.Test(b, c);

        Assert.Equal(b, result.BaselineOnly);
        Assert.Equal(c, result.CandidateOnly);
        Assert.Equal(expected, result.P, 1e-12);
    }

    [Fact]
    public void Large_discordant_counts_stay_finite_and_match_the_exact_tail()
    {
        // Reference from exact integer arithmetic (Python math.comb summed as fractions).
        var result = McNemarExact.Test(40_000, 40_500);

        Assert.True(double.IsFinite(result.P));
        Assert.InRange(result.P, double.Epsilon, 1.0);
        Assert.Equal(0.07862036880510799, result.P, 1e-13);
    }

    [Fact]
    public void A_hundred_thousand_pairs_stay_exact_or_underflow_to_zero_never_nan()
    {
        Assert.Equal(0.0, McNemarExact.Test(100_000, 0).P);
        Assert.Equal(0.0014980826229749737, McNemarExact.Test(50_000, 49_000).P, 1e-15);
    }

    [Fact]
    public void Matches_the_exact_binomial_tail_computed_with_big_integers()
    {
        Gen.Select(Gen.Int[0, 400], Gen.Int[0, 400]).Sample((b, c) =>
        {
            var expected = ExactP(b, c);
            var actual = McNemarExact.Test(b, c).P;
            return Math.Abs(actual - expected) <= 1e-9 * Math.Max(expected, 1e-300) || (expected < 1e-300 && actual < 1e-290);
        }, iter: 300);
    }

    [Fact]
    public void Counts_discordant_pairs_over_every_case_and_repeat()
    {
        var samples = PairedSamples.FromCases(
            [[1, 1], [1, 0], [0, 0], [1, 1]],
            [[0, 1], [1, 1], [1, 0], [0, 0]]);

        var result = McNemarExact.Test(samples);

        Assert.Equal(3, result.BaselineOnly);
        Assert.Equal(2, result.CandidateOnly);
        Assert.Equal(1.0, result.P);
    }

    [Fact]
    public void Values_other_than_pass_or_fail_are_refused()
    {
        var samples = PairedSamples.FromPairs([1, 0.5], [1, 1]);

        Assert.Throws<ArgumentException>(() => McNemarExact.Test(samples));
    }

    [Fact]
    public void Negative_counts_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => McNemarExact.Test(-1, 3));

    private static double ExactP(int b, int c)
    {
        var m = b + c;
        var k = Math.Min(b, c);
        if (m == 0)
        {
            return 1;
        }

        BigInteger tail = 0, binomial = 1;
        for (var i = 0; i <= k; i++)
        {
            tail += binomial;
            binomial = binomial * (m - i) / (i + 1);
        }

        var logP = BigInteger.Log(tail * 2) - (m * Math.Log(2));
        return Math.Min(1, Math.Exp(logP));
    }
}
