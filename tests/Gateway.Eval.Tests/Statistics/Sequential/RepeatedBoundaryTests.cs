using System.Globalization;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

public sealed class RepeatedBoundaryTests
{
    [Theory]
    [InlineData(-1.96, 0.0249978951482204)]
    [InlineData(1.0, 0.841344746068543)]
    [InlineData(-3.0, 0.00134989803163009)]
    [InlineData(-6.0, 9.86587645037698e-10)]
    [InlineData(0.0, 0.5)]
    public void The_normal_distribution_matches_reference_values(double x, double expected) =>
        Assert.Equal(expected, StandardNormal.Cdf(x), expected * 1e-8);

    [Theory]
    [InlineData(0.975, 1.95996398454005)]
    [InlineData(0.995, 2.5758293035489)]
    [InlineData(0.5, 0.0)]
    [InlineData(1e-6, -4.75342430882290)]
    public void The_normal_quantile_matches_reference_values(double p, double expected) =>
        Assert.Equal(expected, StandardNormal.Quantile(p), 1e-9);

    [Fact]
    public void One_look_is_the_ordinary_quantile() =>
        Assert.Equal(1.959964, RepeatedBoundary.Critical(1, 0.025, AdaptiveRepeatsOptions.DefaultSpendingGamma)[0], 1e-5);

    /// <summary>
    /// Pocock's constants for a two-sided 5% test (Jennison &amp; Turnbull 2000, table 2.1). Crossing both sides is
    /// vanishingly rare at these levels, so one side of the published boundary crosses with probability 2.5%; the
    /// table's three decimals move that by at most about 0.0002.
    /// </summary>
    [Theory]
    [InlineData(2, 2.178)]
    [InlineData(5, 2.413)]
    [InlineData(10, 2.555)]
    [InlineData(20, 2.672)]
    public void The_recursion_reproduces_published_Pocock_boundaries(int looks, double pocock) =>
        Assert.Equal(0.025, RepeatedBoundary.CrossingProbability([.. Enumerable.Repeat(pocock, looks)]), 0.0003);

    /// <summary>O'Brien–Fleming's constants C for a two-sided 5% test (Jennison &amp; Turnbull 2000, table 2.3): c_k = C·√(K/k).</summary>
    [Theory]
    [InlineData(2, 1.977)]
    [InlineData(5, 2.040)]
    [InlineData(10, 2.087)]
    public void The_recursion_reproduces_published_OBrien_Fleming_boundaries(int looks, double constant) =>
        Assert.Equal(0.025, RepeatedBoundary.CrossingProbability([.. Enumerable.Range(1, looks).Select(k => constant * Math.Sqrt((double)looks / k))]), 0.0003);

    [Theory]
    [InlineData(-2)]
    [InlineData(1)]
    [InlineData(-4)]
    public void Each_look_spends_what_the_spending_function_allows(double gamma)
    {
        var critical = RepeatedBoundary.Critical(10, 0.025, gamma);
        for (var k = 1; k <= 10; k++)
        {
            Assert.Equal(0.025 * RepeatedBoundary.Spent(k / 10.0, gamma), RepeatedBoundary.CrossingProbability([.. critical.Take(k)]), 1e-5);
        }

        // Spending is monotone in γ at the end: holding more back for the last look makes that look's interval narrower.
        Assert.True(critical[^1] > 1.96);
    }

    [Fact]
    public void The_default_boundary_holds_the_crossing_probability_of_a_simulated_random_walk()
    {
        // 200,000 seeded walks of 10 looks: the share that ever crosses c_k·√k must be 2.5% within simulation error
        // (one SE ≈ 0.035 pp), and the naive 1.96 at every look must cross far more often (Armitage, McPherson & Rowe).
        var c = RepeatedBoundary.Critical(10, 0.025, AdaptiveRepeatsOptions.DefaultSpendingGamma);
        var random = new SimulationRandom(2024);
        int crossed = 0, naive = 0;
        const int Walks = 200_000;
        for (var w = 0; w < Walks; w++)
        {
            double sum = 0;
            bool hit = false, naiveHit = false;
            for (var k = 1; k <= 10; k++)
            {
                sum += random.Normal();
                var z = sum / Math.Sqrt(k);
                hit |= z > c[k - 1];
                naiveHit |= z > 1.959964;
            }

            crossed += hit ? 1 : 0;
            naive += naiveHit ? 1 : 0;
        }

        var rate = (double)crossed / Walks;
        var naiveRate = (double)naive / Walks;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"10 looks, γ = -2: c = {string.Join(", ", c.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}; crossing {rate:P2} (target 2.5%), naive 1.96 crossing {naiveRate:P2}");
        Assert.InRange(rate, 0.0236, 0.0264);
        Assert.InRange(naiveRate, 0.08, 0.12);
    }
}
