using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Statistics;

public sealed class VerdictRuleTests
{
    // Theory parameters are names: a public test method cannot take the engine's internal enums.
    private const string Higher = nameof(MetricDirection.HigherIsBetter);
    private const string Lower = nameof(MetricDirection.LowerIsBetter);
    private const string Abs = nameof(ToleranceKind.Absolute);
    private const string Rel = nameof(ToleranceKind.Relative);
    private const string Regressed = nameof(Verdict.Regressed);
    private const string Improved = nameof(Verdict.Improved);
    private const string Unchanged = nameof(Verdict.Unchanged);
    private const string Inconclusive = nameof(Verdict.Inconclusive);

    [Theory]
    // Accuracy, 2 pp tolerance.
    [InlineData(Higher, Abs, 0.02, 0.80, -0.060, -0.091, -0.029, false, Regressed)]
    [InlineData(Higher, Abs, 0.02, 0.80, -0.060, -0.091, -0.029, true, Regressed)]
    [InlineData(Higher, Abs, 0.02, 0.80, -0.010, -0.018, -0.002, false, Unchanged)] // significant, within tolerance
    [InlineData(Higher, Abs, 0.02, 0.80, -0.010, -0.018, -0.002, true, Unchanged)]  // and settled: bad end inside tolerance
    [InlineData(Higher, Abs, 0.02, 0.80, -0.030, -0.070, 0.010, false, Unchanged)]  // beyond tolerance, not significant
    [InlineData(Higher, Abs, 0.02, 0.80, -0.030, -0.070, 0.010, true, Inconclusive)]
    [InlineData(Higher, Abs, 0.02, 0.80, 0.005, -0.030, 0.040, true, Inconclusive)]
    [InlineData(Higher, Abs, 0.02, 0.80, 0.005, -0.010, 0.020, true, Unchanged)]
    [InlineData(Higher, Abs, 0.02, 0.80, 0.040, 0.010, 0.070, false, Improved)]
    [InlineData(Higher, Abs, 0.02, 0.80, 0.040, 0.010, 0.070, true, Improved)]
    [InlineData(Higher, Abs, 0.02, 0.80, 0.010, 0.001, 0.019, false, Improved)]     // improvement smaller than the tolerance still counts
    // Zero tolerance: any significant drop regresses; identical versions are unchanged even in strict mode.
    [InlineData(Higher, Abs, 0.00, 0.80, -0.005, -0.009, -0.001, false, Regressed)]
    [InlineData(Higher, Abs, 0.00, 0.80, 0.000, 0.000, 0.000, true, Unchanged)]
    [InlineData(Higher, Abs, 0.00, 0.80, 0.000, -0.010, 0.010, true, Inconclusive)]
    // Cost in USD, lower is better, 10% relative tolerance of a 0.01 baseline = 0.001.
    [InlineData(Lower, Rel, 0.10, 0.01, 0.0020, 0.0015, 0.0025, false, Regressed)]
    [InlineData(Lower, Rel, 0.10, 0.01, 0.0005, 0.0002, 0.0008, false, Unchanged)]
    [InlineData(Lower, Rel, 0.10, 0.01, 0.0005, 0.0002, 0.0008, true, Unchanged)]
    [InlineData(Lower, Rel, 0.10, 0.01, 0.0005, -0.0005, 0.0015, true, Inconclusive)]
    [InlineData(Lower, Rel, 0.10, 0.01, -0.0020, -0.0030, -0.0010, false, Improved)]
    // The same cost rise judged against an absolute tolerance of 0.05 USD is tolerated.
    [InlineData(Lower, Abs, 0.05, 0.01, 0.0020, 0.0015, 0.0025, false, Unchanged)]
    // Latency in ms, 10% of a 1000 ms baseline = 100 ms.
    [InlineData(Lower, Rel, 0.10, 1000, 150, 90, 210, false, Regressed)]
    [InlineData(Lower, Rel, 0.10, 1000, 80, 40, 120, false, Unchanged)]
    [InlineData(Lower, Rel, 0.10, 1000, 80, 65, 95, true, Unchanged)]
    [InlineData(Lower, Rel, 0.10, 1000, 80, 40, 120, true, Inconclusive)]
    [InlineData(Lower, Rel, 0.10, 1000, -80, -170, 10, true, Unchanged)]   // better, not significantly; bad end +10 ms is inside
    // A lower-is-better rate (refusals) rising is the bad direction.
    [InlineData(Lower, Abs, 0.01, 0.05, 0.030, 0.010, 0.050, false, Regressed)]
    public void Verdicts(string direction, string kind, double tolerance, double baseline, double delta, double low, double high, bool strict, string expected)
    {
        var gate = new MetricGate(Enum.Parse<MetricDirection>(direction), tolerance, Enum.Parse<ToleranceKind>(kind));

        var decision = VerdictRule.Decide(Result(baseline, delta, low, high), gate, strict);

        Assert.Equal(Enum.Parse<Verdict>(expected), decision.Verdict);
    }

    [Fact]
    public void A_relative_tolerance_scales_with_the_baseline_mean()
    {
        var gate = MetricGate.LowerIsBetterRelative(0.10);

        Assert.Equal(100, VerdictRule.Decide(Result(1000, 0, -1, 1), gate, strict: false).ToleranceInDeltaUnits, 1e-9);
        Assert.Equal(0.001, VerdictRule.Decide(Result(0.01, 0, -1, 1), gate, strict: false).ToleranceInDeltaUnits, 1e-12);
        Assert.Equal(0.02, VerdictRule.Decide(Result(0.8, 0, -1, 1), MetricGate.HigherIsBetter(0.02), strict: false).ToleranceInDeltaUnits);
    }

    [Fact]
    public void Inside_the_tolerance_more_cases_must_pull_the_bad_end_in_to_the_tolerance()
    {
        // Needed half-width −0.005 + 0.02 = 0.015, now −0.005 − (−0.045) = 0.04: 200 × (0.04/0.015)² ≈ 1,422 cases.
        var decision = VerdictRule.Decide(Result(0.8, -0.005, -0.045, 0.035), MetricGate.HigherIsBetter(0.02), strict: true);

        Assert.Equal(Verdict.Inconclusive, decision.Verdict);
        Assert.Equal(1_223, decision.MoreCasesNeeded);
    }

    [Fact]
    public void Beyond_the_tolerance_more_cases_must_pull_the_good_end_below_zero()
    {
        // Needed half-width 0.03 (delta to zero), now 0.01 − (−0.03) = 0.04: 200 × (4/3)² ≈ 356 cases.
        var decision = VerdictRule.Decide(Result(0.8, -0.03, -0.07, 0.01), MetricGate.HigherIsBetter(0.02), strict: true);

        Assert.Equal(Verdict.Inconclusive, decision.Verdict);
        Assert.Equal(156, decision.MoreCasesNeeded);
    }

    [Fact]
    public void A_delta_on_the_boundary_cannot_be_settled_by_more_cases()
    {
        var decision = VerdictRule.Decide(Result(0.8, 0, -0.01, 0.01), MetricGate.HigherIsBetter(0), strict: true);

        Assert.Equal(Verdict.Inconclusive, decision.Verdict);
        Assert.Null(decision.MoreCasesNeeded);
    }

    [Fact]
    public void Only_underpowered_verdicts_estimate_more_cases_and_outside_strict_mode_they_stay_unchanged()
    {
        var underpowered = VerdictRule.Decide(Result(0.8, -0.03, -0.07, 0.01), MetricGate.HigherIsBetter(0.02), strict: false);
        var settled = VerdictRule.Decide(Result(0.8, 0.0, -0.01, 0.01), MetricGate.HigherIsBetter(0.02), strict: false);

        Assert.Equal(Verdict.Unchanged, underpowered.Verdict);
        Assert.True(underpowered.Underpowered);
        Assert.NotNull(underpowered.MoreCasesNeeded);
        Assert.False(settled.Underpowered);
        Assert.Null(settled.MoreCasesNeeded);
        Assert.Null(VerdictRule.Decide(Result(0.8, -0.06, -0.09, -0.03), MetricGate.HigherIsBetter(0.02), strict: true).MoreCasesNeeded);
    }

    [Fact]
    public void Negative_or_non_finite_tolerances_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricGate.HigherIsBetter(-0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricGate.LowerIsBetterRelative(double.NaN));
    }

    internal static BootstrapResult Result(double baseline, double delta, double low, double high, int cases = 200) =>
        new(baseline, baseline + delta, delta, low, high, cases, 1, 0.95, 10_000, 0);
}
