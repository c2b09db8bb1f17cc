using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Tests.Statistics;

public sealed class ComparisonGateTests
{
    [Fact]
    public void Exit_codes_are_fixed_for_pipelines()
    {
        Assert.Equal(0, EvalExitCodes.Pass);
        Assert.Equal(100, EvalExitCodes.Fail);
        Assert.Equal(3, EvalExitCodes.Inconclusive);
        Assert.Equal(2, EvalExitCodes.Error);
        Assert.Equal(EvalExitCodes.Pass, EvalExitCodes.For(GateResult.Pass));
        Assert.Equal(EvalExitCodes.Fail, EvalExitCodes.For(GateResult.Fail));
        Assert.Equal(EvalExitCodes.Inconclusive, EvalExitCodes.For(GateResult.Inconclusive));
    }

    // One entry per metric, named m0, m1, …; a trailing '*' marks a metric that is not gated.
    [Theory]
    [InlineData("Unchanged,Improved", "Pass", "")]
    [InlineData("Regressed,Unchanged", "Fail", "m0")]
    [InlineData("Regressed,Regressed,Inconclusive", "Fail", "m0,m1")]
    [InlineData("Regressed*,Unchanged", "Pass", "")]
    [InlineData("Inconclusive,Improved", "Inconclusive", "m0")]
    [InlineData("Inconclusive,Regressed*", "Inconclusive", "m0")]
    [InlineData("Inconclusive*", "Pass", "")]
    public void The_gate_fails_on_a_gated_regression_before_it_is_inconclusive(string verdicts, string expected, string blamed)
    {
        var metrics = verdicts.Split(',')
            .Select((v, i) => Comparison($"m{i}", Enum.Parse<Verdict>(v.TrimEnd('*')), gated: !v.EndsWith('*')))
            .ToList();

        var (result, names) = ComparisonReport.Aggregate(metrics);

        Assert.Equal(Enum.Parse<GateResult>(expected), result);
        Assert.Equal(blamed, string.Join(",", names));
    }

    [Fact]
    public void A_regressed_accuracy_fails_the_gate_while_an_ungated_latency_only_reports()
    {
        var random = new Random(4);
        var accuracy = Pairs(300, () => random.NextDouble() < 0.85 ? 1 : 0, b => b == 1 && random.NextDouble() < 0.2 ? 0 : b);
        var latency = Pairs(300, () => 800 + (400 * random.NextDouble()), b => b * 1.5);
        var gate = new ComparisonGate(new ComparisonOptions { Seed = 1 });

        var report = gate.Compare(
        [
            new("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0.02), accuracy),
            new("latency_ms", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.10, gated: false), latency),
        ]);

        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal(EvalExitCodes.Fail, report.ExitCode);
        Assert.Equal(["accuracy"], report.Blamed);
        Assert.Equal(Verdict.Regressed, report.Metrics[0].Verdict);
        Assert.NotNull(report.Metrics[0].McNemarP);
        Assert.InRange(report.Metrics[0].McNemarP!.Value, 0, 1e-6);
        Assert.Equal(0, report.Metrics[0].McNemar!.CandidateOnly);
        Assert.Equal(Verdict.Regressed, report.Metrics[1].Verdict);
        Assert.Null(report.Metrics[1].McNemarP);
        Assert.EndsWith("(not gated)", report.Metrics[1].Explanation, StringComparison.Ordinal);
        Assert.Equal(300, report.Metrics[1].Cases);
    }

    [Fact]
    public void Strict_mode_turns_an_unsettled_small_run_into_inconclusive()
    {
        var random = new Random(8);
        var accuracy = Pairs(40, () => random.NextDouble() < 0.8 ? 1 : 0, _ => random.NextDouble() < 0.8 ? 1 : 0);
        MetricSamples[] metrics = [new("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0.02), accuracy)];

        var lenient = new ComparisonGate(new ComparisonOptions { Seed = 1 }).Compare(metrics);
        var strict = new ComparisonGate(new ComparisonOptions { Seed = 1, Strict = true }).Compare(metrics);

        Assert.Equal(GateResult.Pass, lenient.Result);
        Assert.Equal(EvalExitCodes.Pass, lenient.ExitCode);
        Assert.Equal(GateResult.Inconclusive, strict.Result);
        Assert.Equal(EvalExitCodes.Inconclusive, strict.ExitCode);
        Assert.Equal(["accuracy"], strict.Blamed);
        Assert.NotNull(strict.Metrics[0].MoreCasesNeeded);
        Assert.Contains("more cases would settle it", strict.Metrics[0].Explanation, StringComparison.Ordinal);
    }

    // Two cases' percentile interval is [min d, max d]: −4% to +2%, well inside a 20% tolerance, so strict mode let a
    // continuous metric through on two cases. It is at least Δ ± z·SE with the SE inflated by Student's t for one degree
    // of freedom, as in the adaptive design: −3/+1 (SE 2) reaches ±25, where the percentile ends widened by t/1.96 only
    // reached ±13 and read unchanged.
    [Theory]
    [InlineData(true, 96.0, 102.0)]
    [InlineData(false, 104.0, 98.0)]
    [InlineData(true, 97.0, 101.0)]
    [InlineData(false, 103.0, 99.0)]
    public void Two_cases_of_a_continuous_metric_cannot_settle_a_strict_gate(bool higherIsBetter, double first, double second)
    {
        var samples = PairedSamples.FromPairs([100, 100], [first, second]);
        var direction = higherIsBetter ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter;
        MetricSamples[] metrics = [new("score", MetricKind.Continuous, new MetricGate(direction, 0.20, ToleranceKind.Relative), samples)];

        var strict = new ComparisonGate(new ComparisonOptions { Seed = 1, Strict = true }).Compare(metrics);
        var lenient = new ComparisonGate(new ComparisonOptions { Seed = 1 }).Compare(metrics);

        var score = strict.Metrics[0];
        Assert.Equal(Verdict.Inconclusive, score.Verdict);
        Assert.Equal(GateResult.Inconclusive, strict.Result);
        Assert.Equal(EvalExitCodes.Inconclusive, strict.ExitCode);
        // Δ ± z × 12.706 / 1.96 × SE, the SE of two cases being half their differences' spread.
        var half = StandardNormal.Quantile(0.975) * (12.706 / 1.96) * Math.Abs(first - second) / 2;
        Assert.Equal(score.Delta - half, score.CiLow, 1e-9);
        Assert.Equal(score.Delta + half, score.CiHigh, 1e-9);
        Assert.Equal(GateResult.Pass, lenient.Result);
        Assert.True(lenient.Metrics[0].Underpowered);
    }

    [Fact]
    public void A_metric_name_appears_once()
    {
        var samples = PairedSamples.FromPairs([1], [1]);
        var gate = new ComparisonGate(new ComparisonOptions());

        Assert.Throws<ArgumentException>(() => gate.Compare(
        [
            new("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0), samples),
            new("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0), samples),
        ]));
    }

    [Theory]
    [InlineData(-0.060, -0.091, -0.029, false, "accuracy dropped 6.0 pp (95% CI −9.1 to −2.9), beyond the 2 pp tolerance")]
    [InlineData(0.040, 0.010, 0.070, false, "accuracy rose 4.0 pp (95% CI +1.0 to +7.0), a significant improvement")]
    [InlineData(-0.010, -0.018, -0.002, false, "accuracy dropped 1.0 pp (95% CI −1.8 to −0.2), within the 2 pp tolerance")]
    [InlineData(-0.005, -0.045, 0.035, false, "accuracy dropped 0.5 pp (95% CI −4.5 to +3.5), not significant but underpowered: the CI reaches beyond the 2 pp tolerance, so a regression that size would have gone unseen; about 1,300 more cases would settle it")]
    [InlineData(-0.005, -0.045, 0.035, true, "accuracy dropped 0.5 pp (95% CI −4.5 to +3.5): cannot rule out a regression beyond the 2 pp tolerance; about 1,300 more cases would settle it")]
    [InlineData(0.0, 0.0, 0.0, false, "accuracy did not change (95% CI 0.0 to 0.0), not significant")]
    public void Rates_are_explained_in_percentage_points(double delta, double low, double high, bool strict, string expected)
    {
        var gate = MetricGate.HigherIsBetter(0.02);
        var result = VerdictRuleTests.Result(0.8, delta, low, high);

        var text = VerdictExplanation.Describe("accuracy", MetricKind.Rate, gate, result, VerdictRule.Decide(result, gate, strict));

        Assert.Equal(expected, text);
    }

    [Fact]
    public void Continuous_metrics_are_explained_in_their_units_and_relative_to_the_baseline()
    {
        var gate = MetricGate.LowerIsBetterRelative(0.10);
        var cost = VerdictRuleTests.Result(0.01, 0.0012, 0.0009, 0.0015);
        var latency = VerdictRuleTests.Result(1000, -150, -210, -90);

        Assert.Equal(
            "cost_usd rose 0.00120 (+12.0%; 95% CI +0.000900 to +0.00150), beyond the 10% tolerance",
            VerdictExplanation.Describe("cost_usd", MetricKind.Continuous, gate, cost, VerdictRule.Decide(cost, gate, strict: false)));
        Assert.Equal(
            "latency_ms dropped 150 (−15.0%; 95% CI −210 to −90.0), a significant improvement",
            VerdictExplanation.Describe("latency_ms", MetricKind.Continuous, gate, latency, VerdictRule.Decide(latency, gate, strict: false)));
    }

    private static PairedSamples Pairs(int cases, Func<double> baseline, Func<double, double> candidate)
    {
        var b = new double[cases];
        var c = new double[cases];
        for (var i = 0; i < cases; i++)
        {
            b[i] = baseline();
            c[i] = candidate(b[i]);
        }

        return PairedSamples.FromPairs(b, c);
    }

    private static MetricComparison Comparison(string name, Verdict verdict, bool gated) =>
        new(name, MetricKind.Rate, gated, 0.8, 0.8, 0, 0, 0, null, 200, 1, 0.02, verdict, null, string.Empty);

    [Fact]
    public void Fixed_pairs_that_all_agree_are_underpowered_and_strict_calls_them_inconclusive()
    {
        // 40 cases that pass on both versions used to be a zero-width interval: unchanged, not even underpowered, and a
        // strict pass, though 40 agreeing calls cannot rule out a candidate failing one call in twenty.
        var agree = new MetricSamples("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0.02), CalibrationSimulation.Build(40, 1, (_, _) => (1, 1)));

        var lenient = new ComparisonGate(new ComparisonOptions { Seed = 1 }).Compare([agree]);
        var strict = new ComparisonGate(new ComparisonOptions { Seed = 1, Strict = true }).Compare([agree]);

        var metric = Assert.Single(lenient.Metrics);
        Assert.Equal(Verdict.Unchanged, metric.Verdict);
        Assert.True(metric.Underpowered);
        Assert.True(metric.CiLow < -0.02, $"low {metric.CiLow}");
        Assert.Equal(GateResult.Pass, lenient.Result);
        Assert.Equal(Verdict.Inconclusive, strict.Metrics[0].Verdict);
        Assert.Equal(GateResult.Inconclusive, strict.Result);
    }

    [Fact]
    public void A_fixed_metric_measured_on_one_case_once_is_inconclusive_and_on_its_repeats_is_judged_on_them()
    {
        var once = new MetricSamples("accuracy", MetricKind.Rate, MetricGate.HigherIsBetter(0.05), CalibrationSimulation.Build(1, 1, (_, _) => (1, 1)));
        var cost = new MetricSamples("cost", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.15), CalibrationSimulation.Build(1, 1, (_, _) => (0.01, 0.01)));
        var repeated = new MetricSamples("latency", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.5), CalibrationSimulation.Build(1, 30, (_, r) => (100, 100 + (r % 2))));

        var report = new ComparisonGate(new ComparisonOptions { Seed = 1 }).Compare([once, cost, repeated]);

        Assert.Equal(Verdict.Inconclusive, report.Metrics[0].Verdict);
        Assert.Equal(Verdict.Inconclusive, report.Metrics[1].Verdict);
        Assert.Equal(GateResult.Inconclusive, report.Result);
        Assert.Equal(Verdict.Unchanged, report.Metrics[2].Verdict);
        Assert.True(report.Metrics[2].CiLow < report.Metrics[2].CiHigh);
    }

    [Fact]
    public void A_fixed_error_rate_without_failures_and_a_clean_continuous_metric_stay_points()
    {
        // max_error_rate bounds the error rate over the run (as in the adaptive design), and cost has no binomial floor.
        var errors = new MetricSamples("error-rate", MetricKind.Rate, new MetricGate(MetricDirection.LowerIsBetter, 0.01, ToleranceKind.Absolute), CalibrationSimulation.Build(40, 1, (_, _) => (0, 0)), BoundedByRun: true);
        var cost = new MetricSamples("cost", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.15), CalibrationSimulation.Build(40, 1, (i, _) => (0.01 * i, 0.01 * i)));

        var report = new ComparisonGate(new ComparisonOptions { Seed = 1, Strict = true }).Compare([errors, cost]);

        Assert.All(report.Metrics, m => Assert.Equal((Verdict.Unchanged, false, 0.0, 0.0), (m.Verdict, m.Underpowered, m.CiLow, m.CiHigh)));
        Assert.Equal(GateResult.Pass, report.Result);
    }
}
