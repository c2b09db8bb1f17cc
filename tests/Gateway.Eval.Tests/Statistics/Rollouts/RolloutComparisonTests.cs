using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Rollouts;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

public sealed class RolloutComparisonTests
{
    private const double Alpha = 0.05 / 15;

    private static readonly RolloutOptions Options = RolloutOptions.Default;
    private static readonly RolloutMetric ErrorRate = RolloutDefaults.Metrics[0];
    private static readonly RolloutMetric Cost = RolloutDefaults.Metrics[2];
    private static readonly RolloutMetric Score = new("judge_score", MetricScale.Value, RolloutDirection.HigherIsBetter, RolloutThresholdKind.Relative, 0.1, CanAbort: true);

    [Theory]
    [InlineData(0.01, 0.05)]
    [InlineData(1, 0.05)]
    [InlineData(14, 0.0033)]
    [InlineData(1e4, 0.0033)]
    [InlineData(1e8, 0.001)]
    public void The_critical_value_solves_the_one_sided_mixture_boundary(double r, double alpha)
    {
        var z = RolloutComparison.CriticalValue(r, alpha);

        // 2Φ(z√(r/(1+r)))·exp(z²r/(2(1+r)))/√(1+r) = 1/α.
        var k2 = r / (1 + r);
        var logMixture = Math.Log(2) + Math.Log(NormalCdf(z * Math.Sqrt(k2))) + (z * z * k2 / 2) - (0.5 * Math.Log(1 + r));
        Assert.Equal(-Math.Log(alpha), logMixture, 8);

        // Always wider than a fixed-sample one-sided test at the same α.
        Assert.True(z > NormalQuantile(1 - alpha));
    }

    [Fact]
    public void The_critical_value_is_smallest_near_the_tuned_information_and_grows_slowly_after()
    {
        var atOne = RolloutComparison.CriticalValue(1, Alpha);
        var tuned = RolloutComparison.CriticalValue(2 * Math.Log(1 / Alpha), Alpha);
        var late = RolloutComparison.CriticalValue(1e6, Alpha);

        Assert.True(tuned < atOne);
        Assert.True(tuned < late);
        Assert.True(late < 1.5 * tuned);
    }

    [Fact]
    public void A_gaussian_walk_crosses_the_boundary_at_any_look_at_most_alpha_of_the_time()
    {
        // The process the sequence is built for: S_t = Σ N(0, 1), information t, τ = 1, looked at every step.
        const int Paths = 4000;
        const int Looks = 400;
        const double A = 0.05;
        var critical = Enumerable.Range(1, Looks).Select(t => RolloutComparison.CriticalValue(t, A)).ToArray();
        var random = new Xoshiro256StarStar(17);
        var crossed = 0;
        for (var path = 0; path < Paths; path++)
        {
            var sum = 0.0;
            for (var t = 1; t <= Looks; t++)
            {
                sum += Normal(ref random);
                if (sum / Math.Sqrt(t) >= critical[t - 1])
                {
                    crossed++;
                    break;
                }
            }
        }

        Assert.InRange((double)crossed / Paths, 0, A);
    }

    [Fact]
    public void A_clearly_worse_error_rate_is_harmful_with_its_evidence()
    {
        var verdict = RolloutComparison.Compare(ErrorRate, Rate(5000, 100), Rate(5000, 500), Alpha, Options);

        Assert.Equal(RolloutVerdict.Harmful, verdict.Verdict);
        Assert.Equal(0.02, verdict.StableMean);
        Assert.Equal(0.10, verdict.CanaryMean);
        Assert.Equal(0.08, verdict.Difference!.Value, 12);
        Assert.True(verdict.Lower > 0.02);
        Assert.True(verdict.Upper > verdict.Difference);
        Assert.True(verdict.Statistic >= verdict.Critical);
        Assert.Equal(0.02, verdict.Threshold);
        Assert.Equal(1 - (2 * Alpha), verdict.Confidence, 12);
        Assert.Equal(5000, verdict.CanaryCount);
        Assert.False(verdict.Paired);
    }

    [Fact]
    public void Equal_error_rates_with_enough_readings_are_acceptable()
    {
        var verdict = RolloutComparison.Compare(ErrorRate, Rate(20000, 400), Rate(5000, 100), Alpha, Options);

        Assert.Equal(RolloutVerdict.Acceptable, verdict.Verdict);
        Assert.True(verdict.Upper < 0.02);
        Assert.True(verdict.Statistic <= -verdict.Critical);
    }

    [Fact]
    public void A_small_canary_with_no_errors_yet_is_not_acceptable()
    {
        // 0 of 100 looks good, but a 4% canary shows no errors in 100 requests 1.7% of the time: the variance at the
        // threshold, not the observed (almost zero) one, decides.
        var verdict = RolloutComparison.Compare(ErrorRate, Rate(1000, 20), Rate(100, 0), Alpha, Options);

        Assert.Equal(RolloutVerdict.Inconclusive, verdict.Verdict);
        Assert.True(verdict.Upper > 0.02);
    }

    [Theory]
    [InlineData(RolloutDirection.LowerIsBetter, 0, 4)]
    [InlineData(RolloutDirection.HigherIsBetter, 600, 596)]
    public void Few_events_keep_the_rates_at_the_threshold_a_full_delta_apart(RolloutDirection direction, long stableEvents, long canaryEvents)
    {
        // Stable 0 errors of 600, canary 4: the pooled point at the threshold has a negative stable rate. Pulled back
        // into [0, 1] it must take the canary's with it, so the canary's variance is that of a rate at least δ from
        // the edge, δ(1 − δ); the mirror for a pass rate near 1.
        var metric = new RolloutMetric("rate", MetricScale.Rate, direction, RolloutThresholdKind.Absolute, 0.02, CanAbort: true);
        var verdict = RolloutComparison.Compare(metric, Rate(600, stableEvents), Rate(600, canaryEvents), Alpha, Options);

        var ps = (stableEvents + 1) / 602.0;
        var bound = Math.Sqrt(((0.02 * 0.98) + (ps * (1 - ps))) / 600);
        Assert.True(verdict.StandardError >= bound, $"SE {verdict.StandardError} < {bound}");
        Assert.True(verdict.StandardError < 1.05 * bound, $"SE {verdict.StandardError} far above {bound}");
    }

    [Fact]
    public void A_relative_threshold_near_the_edge_keeps_the_ratio_at_the_threshold()
    {
        // A pass rate of 600/600 in both arms with a 10% relative threshold: at the threshold the canary's rate is at
        // most 0.9 of stable's, so its per-reading variance of the log, (1 − p)/p, is at least 0.1/0.9.
        var metric = new RolloutMetric("pass_rate", MetricScale.Rate, RolloutDirection.HigherIsBetter, RolloutThresholdKind.Relative, 0.1, CanAbort: true);
        var verdict = RolloutComparison.Compare(metric, Rate(600, 600), Rate(600, 600), Alpha, Options);

        var ps = 601 / 602.0;
        var bound = Math.Sqrt(((0.1 / 0.9) + ((1 - ps) / ps)) / 600);
        Assert.True(verdict.StandardError >= bound, $"SE {verdict.StandardError} < {bound}");
    }

    [Fact]
    public void Too_few_readings_give_no_verdict_and_no_interval()
    {
        var verdict = RolloutComparison.Compare(ErrorRate, Rate(1000, 20), Rate(29, 29), Alpha, Options);

        Assert.Equal(RolloutVerdict.Inconclusive, verdict.Verdict);
        Assert.Null(verdict.Lower);
        Assert.Null(verdict.Statistic);
        Assert.Equal(1.0, verdict.CanaryMean);
        Assert.Equal(0.98, verdict.Difference!.Value, 12);

        var empty = RolloutComparison.Compare(Cost, default, default, Alpha, Options);
        Assert.Equal(RolloutVerdict.Inconclusive, empty.Verdict);
        Assert.Null(empty.StableMean);
        Assert.Null(empty.Difference);
    }

    [Fact]
    public void A_relative_threshold_is_judged_on_the_log_ratio_and_reported_as_a_fraction()
    {
        var stable = Values(4000, 0.002, 0.0015);
        var worse = RolloutComparison.Compare(Cost, stable, Values(1000, 0.003, 0.0022), Alpha, Options);
        var same = RolloutComparison.Compare(Cost, stable, Values(4000, 0.002, 0.0015), Alpha, Options);

        Assert.Equal(RolloutVerdict.Harmful, worse.Verdict);
        Assert.Equal(0.5, worse.Difference!.Value, 9);
        Assert.True(worse.Lower > 0.2);
        Assert.Equal(RolloutVerdict.Acceptable, same.Verdict);
        Assert.Equal(0, same.Difference!.Value, 9);
        Assert.True(same.Upper < 0.2 && same.Lower > -0.2);
    }

    [Fact]
    public void Higher_is_better_turns_a_drop_into_the_degradation()
    {
        var stable = Values(4000, 0.8, 0.15);
        var drop = RolloutComparison.Compare(Score, stable, Values(2000, 0.6, 0.15), Alpha, Options);
        var rise = RolloutComparison.Compare(Score, stable, Values(2000, 0.9, 0.15), Alpha, Options);

        Assert.Equal(RolloutVerdict.Harmful, drop.Verdict);
        Assert.Equal(-0.25, drop.Difference!.Value, 9);
        Assert.True(drop.Upper < -0.1);
        Assert.Equal(RolloutVerdict.Acceptable, rise.Verdict);
    }

    [Fact]
    public void Constant_values_give_finite_statistics()
    {
        var same = RolloutComparison.Compare(Cost, Values(100, 0.002, 0), Values(100, 0.002, 0), Alpha, Options);
        var doubled = RolloutComparison.Compare(Cost, Values(100, 0.002, 0), Values(100, 0.004, 0), Alpha, Options);

        Assert.Equal(RolloutVerdict.Acceptable, same.Verdict);
        Assert.Equal(RolloutVerdict.Harmful, doubled.Verdict);
        Assert.True(double.IsFinite(doubled.Statistic!.Value) && double.IsFinite(doubled.Critical!.Value));
    }

    [Fact]
    public void Non_finite_or_non_positive_readings_are_inconclusive_not_errors()
    {
        var infinite = RolloutComparison.Compare(Cost, new ArmMoments(100, double.PositiveInfinity, 1), Values(100, 0.002, 0.001), Alpha, Options);
        var zeroMean = RolloutComparison.Compare(Cost, Values(100, 0.002, 0.001), new ArmMoments(100, 0, 0), Alpha, Options);

        Assert.Equal(RolloutVerdict.Inconclusive, infinite.Verdict);
        Assert.Equal(RolloutVerdict.Inconclusive, zeroMean.Verdict);
        Assert.Null(zeroMean.Statistic);
    }

    [Fact]
    public void Paired_differences_detect_what_independent_arms_of_the_same_size_cannot()
    {
        // 500 requests answered by both; the candidate costs 25% more on every one of them, with lots of spread
        // across requests: the pairs see it, two independent arms of 500 do not.
        var random = new Xoshiro256StarStar(5);
        var pairs = new List<(double Stable, double Canary)>();
        for (var i = 0; i < 500; i++)
        {
            var s = 0.002 * Math.Exp(0.8 * Normal(ref random));
            pairs.Add((s, s * 1.5));
        }

        var paired = PairedMoments.Of(pairs);
        var pairedVerdict = RolloutComparison.ComparePaired(Cost, paired, Alpha, Options);
        var independent = RolloutComparison.Compare(Cost, paired.Stable, paired.Canary, Alpha, Options);

        Assert.Equal(RolloutVerdict.Harmful, pairedVerdict.Verdict);
        Assert.True(pairedVerdict.Paired);
        Assert.Equal(0.5, pairedVerdict.Difference!.Value, 9);
        Assert.True(pairedVerdict.StandardError < independent.StandardError / 5);
    }

    [Fact]
    public void Paired_rates_use_the_differences()
    {
        // 2000 pairs: stable errs on 40, the candidate on 240 (200 more, none fewer).
        var pairs = Enumerable.Range(0, 2000).Select(i => (Stable: i < 40 ? 1.0 : 0.0, Canary: i < 240 ? 1.0 : 0.0));
        var verdict = RolloutComparison.ComparePaired(ErrorRate, PairedMoments.Of(pairs), Alpha, Options);

        Assert.Equal(RolloutVerdict.Harmful, verdict.Verdict);
        Assert.Equal(0.1, verdict.Difference!.Value, 12);
    }

    [Fact]
    public void Paired_readings_of_unequal_counts_are_rejected()
    {
        var bad = new PairedMoments(Rate(100, 2), Rate(99, 2), Rate(100, 0));

        Assert.Throws<ArgumentException>(() => RolloutComparison.ComparePaired(ErrorRate, bad, Alpha, Options));
    }

    [Fact]
    public void Invalid_specs_and_alphas_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutComparison.Compare(ErrorRate with { Threshold = 0 }, Rate(100, 2), Rate(100, 2), Alpha, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutComparison.Compare(Score with { Threshold = 1 }, Rate(100, 2), Rate(100, 2), Alpha, Options));
        Assert.Throws<ArgumentException>(() => RolloutComparison.Compare(ErrorRate with { Name = " " }, Rate(100, 2), Rate(100, 2), Alpha, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutComparison.Compare(ErrorRate, Rate(100, 2), Rate(100, 2), 0.5, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutComparison.CriticalValue(0, Alpha));
    }

    [Fact]
    public void Arm_moments_give_mean_and_sample_variance()
    {
        var moments = ArmMoments.Of([1, 2, 3, 4]);

        Assert.Equal(new ArmMoments(4, 10, 30), moments);
        Assert.Equal(2.5, moments.Mean);
        Assert.Equal(5.0 / 3, moments.Variance!.Value, 12);
        Assert.Null(default(ArmMoments).Mean);
        Assert.Null(new ArmMoments(1, 1, 1).Variance);
        Assert.Equal(new ArmMoments(5, 15, 55), moments.Combine(new ArmMoments(1, 5, 25)));
    }

    internal static ArmMoments Rate(long count, long events) => new(count, events, events);

    /// <summary>Moments of <paramref name="count"/> readings with the given mean and (population) standard deviation.</summary>
    internal static ArmMoments Values(long count, double mean, double sd) => new(count, count * mean, count * ((sd * sd) + (mean * mean)));

    private static double Normal(ref Xoshiro256StarStar random)
    {
        var u1 = ((random.NextUInt64() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
        var u2 = (random.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double NormalCdf(double x) => LlmGateway.Eval.Statistics.Sequential.StandardNormal.Cdf(x);

    private static double NormalQuantile(double p) => LlmGateway.Eval.Statistics.Sequential.StandardNormal.Quantile(p);
}
