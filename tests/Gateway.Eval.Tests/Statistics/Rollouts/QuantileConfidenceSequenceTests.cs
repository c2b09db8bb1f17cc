using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Rollouts;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

public sealed class QuantileConfidenceSequenceTests
{
    [Fact]
    public void The_count_boundary_is_above_the_expected_count_grows_with_n_and_is_past_n_while_the_arm_is_too_small()
    {
        Assert.Equal(1, QuantileConfidenceSequence.CountBoundary(0, 0.95, 0.01));
        // At p = 0.95 a handful of readings can never rule out the quantile from above.
        Assert.Equal(31, QuantileConfidenceSequence.CountBoundary(30, 0.95, 0.01));
        var previous = 0L;
        foreach (var n in new long[] { 100, 500, 1_000, 5_000, 20_000, 100_000, 1_000_000 })
        {
            var k = QuantileConfidenceSequence.CountBoundary(n, 0.95, 0.01);
            Assert.True(k > n * 0.95, $"n={n}: k={k}");
            Assert.True(k >= previous);
            previous = k;
        }

        // Far into a large arm the margin over n·p is a small share of n (it grows like √(n·log n)).
        Assert.InRange(QuantileConfidenceSequence.CountBoundary(1_000_000, 0.95, 0.01) - 950_000, 100, 2_000);
        // A smaller α needs a larger count.
        Assert.True(QuantileConfidenceSequence.CountBoundary(10_000, 0.5, 1e-6) > QuantileConfidenceSequence.CountBoundary(10_000, 0.5, 0.05));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.95)]
    public void The_bounds_cover_the_true_quantile_at_every_look_of_a_run_in_at_least_1_minus_alpha_of_runs(double p)
    {
        // Exponential readings (true p-quantile −ln(1 − p)), each run looked at every 25 readings up to 3,000: a fixed-n
        // interval checked that often would miss far more often than its α.
        const double alpha = 0.05;
        const int runs = 400;
        var quantile = -Math.Log(1 - p);
        var missedBelow = 0;
        var missedAbove = 0;
        for (var run = 0; run < runs; run++)
        {
            var random = new ChangePointRandom((ulong)(run + 1) * 7919);
            var counts = new long[QuantileHistogram.MaxBucket + 1];
            bool below = false, above = false;
            for (var n = 1; n <= 3_000; n++)
            {
                counts[QuantileHistogram.BucketOf(-Math.Log(1 - random.Uniform()))]++;
                if (n % 25 != 0)
                {
                    continue;
                }

                var histogram = QuantileHistogram.FromBuckets(counts.Select((c, b) => new KeyValuePair<int, long>(b, c)));
                var (lower, upper) = QuantileConfidenceSequence.Bounds(histogram, p, alpha);
                below |= upper < quantile;
                above |= lower > quantile;
            }

            missedBelow += below ? 1 : 0;
            missedAbove += above ? 1 : 0;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"p={p}: upper bound below the quantile in {missedBelow}/{runs} runs, lower bound above it in {missedAbove}/{runs}");
        Assert.InRange(missedBelow, 0, (int)(alpha * runs));
        Assert.InRange(missedAbove, 0, (int)(alpha * runs));
    }

    [Fact]
    public void A_large_arms_bounds_close_in_on_its_quantile_and_a_small_arms_are_open()
    {
        var random = new ChangePointRandom(42);
        var values = Enumerable.Range(0, 200_000).Select(_ => random.LogNormal(800, 0.5)).ToList();
        var exact = values.Order().ElementAt((int)(0.95 * values.Count));
        var (lower, upper) = QuantileConfidenceSequence.Bounds(QuantileHistogram.Of(values), 0.95, 0.001);
        Assert.InRange(exact, lower, upper);
        Assert.InRange(upper / lower, 1, 1.2);

        var (smallLower, smallUpper) = QuantileConfidenceSequence.Bounds(QuantileHistogram.Of(values.Take(40)), 0.95, 0.001);
        Assert.Equal(double.PositiveInfinity, smallUpper);
        Assert.True(smallLower > 0 && smallLower < exact);
    }
}
