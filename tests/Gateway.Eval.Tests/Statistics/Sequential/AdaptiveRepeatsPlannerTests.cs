using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

public sealed class AdaptiveRepeatsPlannerTests
{
    private const int Cases = 60;

    private static readonly MetricGate Accuracy = MetricGate.HigherIsBetter(0.05);

    private static readonly AdaptiveRepeatsPlanner Planner = new(new AdaptiveRepeatsOptions { MaxCalls = 1200, Cases = Cases });

    [Fact]
    public void The_budget_sets_the_rounds_and_the_boundary()
    {
        Assert.Equal(10, Planner.MaxRounds);
        Assert.Equal(120, Planner.CallsPerRound);
        Assert.Equal(10, Planner.Critical.Count);
        Assert.Equal(20, new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions { MaxCalls = 100_000, Cases = 10 }).MaxRounds);
        Assert.Equal(1.96, new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions { MaxCalls = 150, Cases = Cases }).Critical.Single(), 0.001);

        // Later looks are narrower but never as narrow as a single look's 1.96: that is the price of looking often.
        Assert.True(Planner.Critical.Zip(Planner.Critical.Skip(1)).All(p => p.First > p.Second));
        Assert.True(Planner.Critical[^1] > 1.96);
    }

    [Fact]
    public void A_budget_that_cannot_pay_for_one_round_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions { MaxCalls = 100, Cases = Cases }));

    [Fact]
    public void A_large_drop_stops_the_run_at_the_first_round()
    {
        // Baseline passes every case; the candidate fails 60% of them.
        var decision = Planner.Evaluate([Rate("accuracy", Accuracy, 1, (i, _) => (1, i % 5 < 2 ? 1 : 0))], callsSpent: 120);

        Assert.Equal(SequentialAction.Stop, decision.Action);
        Assert.Equal(SequentialStopReason.Regressed, decision.Reason);
        var metric = Assert.Single(decision.Metrics);
        Assert.Equal(SequentialStatus.Regressed, metric.Status);
        Assert.Equal(Verdict.Regressed, metric.Verdict);
        Assert.Equal(["accuracy"], decision.Regressed);
        Assert.Equal(-0.6, metric.Delta, 1e-12);
        Assert.True(metric.High < 0);
    }

    [Fact]
    public void Identical_results_on_every_case_clear_the_metric_at_once()
    {
        var decision = Planner.Evaluate([Rate("accuracy", Accuracy, 1, (i, _) => (i % 3 == 0 ? 0 : 1, i % 3 == 0 ? 0 : 1))], 120);

        Assert.Equal(SequentialStopReason.AllDecided, decision.Reason);
        Assert.Equal(SequentialStatus.Cleared, decision.Metrics[0].Status);
        Assert.Equal(Verdict.Unchanged, decision.Metrics[0].Verdict);
        Assert.Equal((0.0, 0.0), (decision.Metrics[0].Low, decision.Metrics[0].High));
    }

    [Fact]
    public void An_open_metric_asks_for_one_more_repeat_of_every_case()
    {
        // The versions fail different cases: no change on average, but far too noisy to clear at one repeat.
        var decision = Planner.Evaluate([Rate("accuracy", Accuracy, 1, Disagreeing)], 120);

        Assert.Equal(SequentialAction.Continue, decision.Action);
        Assert.True(decision.Continue);
        Assert.Equal(SequentialStopReason.None, decision.Reason);
        Assert.Equal(1, decision.Rounds);
        Assert.Equal(2, decision.NextRepeats);
        Assert.Equal(SequentialStatus.Open, decision.Metrics[0].Status);
    }

    [Fact]
    public void The_interval_is_the_case_clustered_mean_plus_or_minus_the_boundary()
    {
        // Two repeats that disagree within each case: the interval uses the per-case means (here ±0.5 on alternate
        // cases, mean 0, sample SD √(60/236)), not the 120 runs, and the second look's boundary.
        var state = Planner.Assess(Rate("accuracy", Accuracy, 2, (i, r) => (r == 0 ? 1 : 0, i % 2 == 0 ? 1 : 0)));
        var se = Math.Sqrt(0.25 * Cases / (Cases - 1) / Cases);

        Assert.Equal(0, state.Delta, 1e-12);
        Assert.Equal(Planner.Critical[1], state.Critical);
        Assert.Equal(-Planner.Critical[1] * se, state.Low, 1e-12);
        Assert.Equal(Planner.Critical[1] * se, state.High, 1e-12);
        Assert.Equal(0, state.Interval.Resamples);
        Assert.Equal(0.95, state.Interval.Confidence);
    }

    [Fact]
    public void The_verdict_is_the_verdict_rule_applied_to_the_anytime_interval()
    {
        var state = Planner.Assess(Rate("accuracy", Accuracy, 1, Disagreeing));

        Assert.Equal(VerdictRule.Decide(state.Interval, Accuracy, strict: false), state.Decision);
        Assert.True(state.Decision.Underpowered);
    }

    [Fact]
    public void A_budget_that_cannot_pay_for_another_round_stops_an_open_run()
    {
        var decision = Planner.Evaluate([Rate("accuracy", Accuracy, 1, Disagreeing)], callsSpent: 1100);

        Assert.Equal(SequentialStopReason.BudgetSpent, decision.Reason);
        Assert.Null(decision.NextRepeats);
        Assert.Equal(Verdict.Unchanged, decision.Metrics[0].Verdict);
    }

    [Fact]
    public void The_last_round_stops_an_open_run()
    {
        // Ten identical repeats: the between-case disagreement alone keeps the interval wide, and no rounds are left.
        var decision = Planner.Evaluate([Rate("accuracy", Accuracy, 10, (i, _) => Disagreeing(i, 0))], 1200);

        Assert.Equal(SequentialStopReason.BudgetSpent, decision.Reason);
        Assert.Equal(SequentialStatus.Open, decision.Metrics[0].Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Repeats_that_never_differ_within_a_case_stop_the_run_as_futile(bool strict)
    {
        // Deterministic outputs (temperature 0, say): a third repeat would reproduce the first two, so it cannot help.
        var planner = new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions { MaxCalls = 1200, Cases = Cases, Strict = strict });
        var decision = planner.Evaluate([Rate("accuracy", Accuracy, 2, (i, _) => Disagreeing(i, 0))], 240);

        Assert.Equal(SequentialStatus.Futile, decision.Metrics[0].Status);
        Assert.Equal(SequentialStopReason.AllDecided, decision.Reason);
        Assert.Equal(strict ? Verdict.Inconclusive : Verdict.Unchanged, decision.Metrics[0].Verdict);
    }

    [Fact]
    public void A_version_that_looks_better_stops_as_futile_but_not_in_strict_mode()
    {
        // Three repeats, the candidate ahead by 5 pp on average with run-to-run noise: a regression is implausible,
        // yet the interval still reaches below −5 pp, which strict mode needs ruled out.
        var random = new SimulationRandom(7);
        var metric = Rate("accuracy", Accuracy, 3, (_, _) => (random.Bernoulli(0.75), random.Bernoulli(0.80)));
        var strict = new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions { MaxCalls = 1200, Cases = Cases, Strict = true });

        Assert.Equal(SequentialStatus.Futile, Planner.Assess(metric).Status);
        Assert.Equal(SequentialStatus.Open, strict.Assess(metric).Status);
        Assert.Equal(SequentialStatus.Open, new AdaptiveRepeatsPlanner(Planner.Options with { Futility = 0 }).Assess(metric).Status);
    }

    [Fact]
    public void Ungated_metrics_never_hold_a_run_open()
    {
        var open = Rate("tone", MetricGate.HigherIsBetter(0.05, gated: false), 1, Disagreeing);
        var cleared = Rate("accuracy", Accuracy, 1, (_, _) => (1, 1));

        Assert.Equal(SequentialStopReason.AllDecided, Planner.Evaluate([open, cleared], 120).Reason);
        Assert.Equal(SequentialStopReason.NothingGated, Planner.Evaluate([open], 120).Reason);
        Assert.Equal(SequentialStopReason.NothingGated, Planner.Evaluate([], 0).Reason);
    }

    [Fact]
    public void A_cost_rise_beyond_its_relative_tolerance_regresses()
    {
        var cost = Metric("cost", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.15), 1, (i, _) =>
        {
            var size = 0.001 * (1 + (i % 7));
            return (size, size * (i % 2 == 0 ? 1.4 : 1.6));
        });

        var state = Planner.Assess(cost);

        Assert.Equal(SequentialStatus.Regressed, state.Status);
        Assert.True(state.Low > 0);
    }

    [Fact]
    public void The_same_samples_give_the_same_decision()
    {
        var random = new SimulationRandom(11);
        var metric = Rate("accuracy", Accuracy, 4, (_, _) => (random.Bernoulli(0.8), random.Bernoulli(0.78)));

        var first = Planner.Evaluate([metric], 480);
        var second = new AdaptiveRepeatsPlanner(Planner.Options).Evaluate([metric], 480);

        Assert.Equal(first.Reason, second.Reason);
        Assert.Equal(first.Metrics[0], second.Metrics[0]);
    }

    [Fact]
    public void Samples_beyond_the_rounds_the_boundary_covers_are_rejected() =>
        Assert.Throws<ArgumentException>(() => Planner.Evaluate([Rate("accuracy", Accuracy, 11, (_, _) => (1, 1))], 1200));

    /// <summary>The versions pass alternate cases: no difference on average, a full point on each case.</summary>
    private static (double Baseline, double Candidate) Disagreeing(int caseIndex, int repeat) =>
        caseIndex % 2 == 0 ? (1, 0) : (0, 1);

    private static MetricSamples Rate(string name, MetricGate gate, int repeats, Func<int, int, (double Baseline, double Candidate)> draw) =>
        Metric(name, MetricKind.Rate, gate, repeats, draw);

    private static MetricSamples Metric(string name, MetricKind kind, MetricGate gate, int repeats, Func<int, int, (double Baseline, double Candidate)> draw) =>
        new(name, kind, gate, CalibrationSimulation.Build(Cases, repeats, draw));
}
