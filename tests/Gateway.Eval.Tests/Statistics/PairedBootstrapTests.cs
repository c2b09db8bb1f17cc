using CsCheck;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Statistics;

public sealed class PairedBootstrapTests
{
    private static readonly PairedBootstrap Bootstrap = new();

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_another_seed_a_different_one()
    {
        var samples = PassFail(cases: 200, baselinePass: 0.8, candidatePass: 0.75, seed: 1);

        var first = Bootstrap.Run(samples, seed: 42);
        var again = Bootstrap.Run(samples, seed: 42);
        var other = Bootstrap.Run(samples, seed: 43);

        Assert.Equal(first, again);
        Assert.Equal(first.Delta, other.Delta);
        Assert.True(first.CiLow != other.CiLow || first.CiHigh != other.CiHigh, "another seed should draw other resamples");
    }

    [Theory]
    [InlineData(4, "Unchanged")]
    [InlineData(5, "Regressed")]
    public void The_floor_trades_a_one_sided_four_in_forty_drop_for_fewer_false_alarms_and_five_still_regress(int failures, string expected)
    {
        // Every disagreement one way: the baseline passes all 40, the candidate fails some (README: the floor's trade).
        var baseline = Enumerable.Repeat(1.0, 40).ToArray();
        var candidate = baseline.Select((_, i) => i < failures ? 0.0 : 1.0).ToArray();
        var gate = MetricGate.HigherIsBetter(0.05);

        var result = Bootstrap.Run(new MetricSamples("accuracy", MetricKind.Rate, gate, PairedSamples.FromPairs(baseline, candidate)), seed: 0);

        Assert.Equal(expected, VerdictRule.Decide(result, gate, strict: false).Verdict.ToString());
    }

    [Fact]
    public void Identical_versions_give_a_zero_interval()
    {
        double[] values = [0.3, 0.9, 0.1, 0.5, 1, 0];

        var result = Bootstrap.Run(PairedSamples.FromPairs(values, values), seed: 7);

        Assert.Equal(0.0, result.Delta);
        Assert.Equal(0.0, result.CiLow);
        Assert.Equal(0.0, result.CiHigh);
        Assert.Equal(result.BaselineMean, result.CandidateMean);
    }

    [Fact]
    public void The_interval_contains_the_true_delta_of_a_known_shift()
    {
        // Baseline ~ N(10, 1) per case; candidate = baseline + 0.5 + N(0, 0.5): the true mean delta is 0.5.
        var random = new Random(11);
        var baseline = new double[500];
        var candidate = new double[500];
        for (var i = 0; i < baseline.Length; i++)
        {
            baseline[i] = 10 + Normal(random);
            candidate[i] = baseline[i] + 0.5 + (0.5 * Normal(random));
        }

        var result = Bootstrap.Run(PairedSamples.FromPairs(baseline, candidate), seed: 3);

        Assert.InRange(0.5, result.CiLow, result.CiHigh);
        Assert.InRange(result.CiHigh - result.CiLow, 0.05, 0.15); // ≈ 2 × 1.96 × 0.5/√500 = 0.088
        Assert.Equal(result.CandidateMean - result.BaselineMean, result.Delta, 1e-12);
    }

    [Fact]
    public void A_case_with_repeats_is_resampled_as_one_unit()
    {
        // Each case's single pair repeated five times adds no information, so the CI must not narrow; treating the
        // runs as independent cases would shrink it by about √5.
        var single = PassFail(cases: 200, baselinePass: 0.8, candidatePass: 0.7, seed: 5);
        var repeated = PairedSamples.FromCases(
            Enumerable.Range(0, single.Cases).Select(i => (IReadOnlyList<double>)Enumerable.Repeat(single.Baseline[i], 5).ToArray()).ToArray(),
            Enumerable.Range(0, single.Cases).Select(i => (IReadOnlyList<double>)Enumerable.Repeat(single.Candidate[i], 5).ToArray()).ToArray());
        var runsAsCases = PairedSamples.FromPairs(repeated.Baseline, repeated.Candidate);

        var once = Bootstrap.Run(single, seed: 9);
        var clustered = Bootstrap.Run(repeated, seed: 9);
        var naive = Bootstrap.Run(runsAsCases, seed: 9);

        Assert.Equal(200, clustered.Cases);
        Assert.Equal(5, clustered.Repeats);
        Assert.Equal(once.CiLow, clustered.CiLow, 1e-12);
        Assert.Equal(once.CiHigh, clustered.CiHigh, 1e-12);
        Assert.InRange((naive.CiHigh - naive.CiLow) / (once.CiHigh - once.CiLow), 0.35, 0.55); // 1/√5 ≈ 0.447
    }

    [Fact]
    public void Repeats_are_averaged_per_case_before_means_are_taken()
    {
        // Case a: baseline (1, 0), candidate (1, 1); case b: one repeat, baseline 0, candidate 0. Each case counts once.
        var samples = PairedSamples.FromObservations(
        [
            new("a", 0, 1, 1),
            new("b", 0, 0, 0),
            new("a", 1, 0, 1),
        ]);

        var result = Bootstrap.Run(samples, seed: 1);

        Assert.Equal(2, result.Cases);
        Assert.Equal(2, result.Repeats);
        Assert.Equal(0.25, result.BaselineMean);
        Assert.Equal(0.5, result.CandidateMean);
        Assert.Equal(0.25, result.Delta);
    }

    [Fact]
    public void Shifting_every_candidate_value_shifts_the_delta_and_interval_alike()
    {
        Gen.Select(Gen.Double[-1, 1].Array[2, 60], Gen.Double[-5, 5], Gen.Long).Sample((values, shift, seed) =>
        {
            var shifted = values.Select(v => v + shift).ToArray();
            var bootstrap = new PairedBootstrap(resamples: 200);

            var plain = bootstrap.Run(PairedSamples.FromPairs(values, values.Reverse().ToArray()), seed);
            var moved = bootstrap.Run(PairedSamples.FromPairs(values, shifted.Reverse().ToArray()), seed);

            return plain.CiLow <= plain.CiHigh
                && Math.Abs(moved.Delta - plain.Delta - shift) < 1e-9
                && Math.Abs(moved.CiLow - plain.CiLow - shift) < 1e-9
                && Math.Abs(moved.CiHigh - plain.CiHigh - shift) < 1e-9;
        }, iter: 200);
    }

    [Fact]
    public void A_run_allocates_nothing_per_resample()
    {
        var samples = PassFail(cases: 1_000, baselinePass: 0.8, candidatePass: 0.8, seed: 2);
        Bootstrap.Run(samples, seed: 1); // warm the pool and the JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        Bootstrap.Run(samples, seed: 2);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 10,000 resamples: one byte each would already be 10 kB; the result record is about 100 bytes.
        Assert.InRange(allocated, 0, 1_024);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 3.0)]
    [InlineData(0.25, 2.0)]
    [InlineData(0.1, 1.4)]
    [InlineData(1.0, 5.0)]
    public void Quantiles_interpolate_between_order_statistics(double q, double expected) =>
        Assert.Equal(expected, PairedBootstrap.Quantile([1, 2, 3, 4, 5], q), 1e-12);

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PairedBootstrap(resamples: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PairedBootstrap(confidence: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PairedBootstrap(confidence: 0));
    }

    [Fact]
    public void Samples_refuse_mismatched_pairs_and_non_finite_values()
    {
        Assert.Throws<ArgumentException>(() => PairedSamples.FromPairs([1, 0], [1]));
        Assert.Throws<ArgumentException>(() => PairedSamples.FromPairs([], []));
        Assert.Throws<ArgumentException>(() => PairedSamples.FromPairs([double.NaN], [1]));
        Assert.Throws<ArgumentException>(() => PairedSamples.FromCases([[1, 0]], [[1]]));
        Assert.Throws<ArgumentException>(() => PairedSamples.FromObservations([new("a", 0, 1, 1), new("a", 0, 0, 0)]));
    }

    private static PairedSamples PassFail(int cases, double baselinePass, double candidatePass, int seed)
    {
        var random = new Random(seed);
        var baseline = new double[cases];
        var candidate = new double[cases];
        for (var i = 0; i < cases; i++)
        {
            baseline[i] = random.NextDouble() < baselinePass ? 1 : 0;
            candidate[i] = random.NextDouble() < candidatePass ? 1 : 0;
        }

        return PairedSamples.FromPairs(baseline, candidate);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
