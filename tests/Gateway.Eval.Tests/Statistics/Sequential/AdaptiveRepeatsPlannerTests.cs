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
    public void Pairs_that_all_agree_are_not_a_point_a_rate_clears_once_enough_of_them_agreed()
    {
        // 60 pairs that agree say a disagreement is rarer than about 5%, not that it never happens: the interval keeps
        // a width (ClusterMoments.StandardError's floor) and the metric stays open; 120 pairs clear it.
        Func<int, int, (double, double)> same = (i, _) => (i % 3 == 0 ? 0 : 1, i % 3 == 0 ? 0 : 1);

        var first = Planner.Evaluate([Rate("accuracy", Accuracy, 1, same)], 120);
        var second = Planner.Evaluate([Rate("accuracy", Accuracy, 2, same)], 240);

        Assert.Equal(SequentialStatus.Open, first.Metrics[0].Status);
        Assert.Equal(SequentialAction.Continue, first.Action);
        Assert.True(first.Metrics[0].Low < -0.05, $"low {first.Metrics[0].Low}");
        Assert.Equal(SequentialStopReason.AllDecided, second.Reason);
        Assert.Equal(SequentialStatus.Cleared, second.Metrics[0].Status);
        Assert.Equal(Verdict.Unchanged, second.Metrics[0].Verdict);
        Assert.InRange(second.Metrics[0].High - second.Metrics[0].Low, 0.01, 0.1);
    }

    [Fact]
    public void A_continuous_metric_whose_pairs_all_agree_is_still_a_point()
    {
        var decision = Planner.Evaluate([Metric("latency", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.15), 1, (i, _) => (100 + i, 100 + i))], 120);

        Assert.Equal(SequentialStatus.Cleared, decision.Metrics[0].Status);
        Assert.Equal((0.0, 0.0), (decision.Metrics[0].Low, decision.Metrics[0].High));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Assertion_scores_whose_pairs_all_agree_keep_a_width_like_a_rate(double score)
    {
        // A weighted score is continuous by kind; over 0/1 assertions, or agreeing everywhere, it has a rate's floor.
        var samples = CalibrationSimulation.Build(Cases, 1, (_, _) => (score, score));
        var scores = new MetricSamples("tone", MetricKind.Continuous, Accuracy, samples, Scores: true);
        var latencyLike = new MetricSamples("tone", MetricKind.Continuous, Accuracy, samples);

        Assert.Equal(SequentialStatus.Open, Planner.Assess(scores).Status);
        Assert.True(Planner.Assess(scores).Low < -0.05);
        Assert.Equal(SequentialStatus.Cleared, Planner.Assess(latencyLike).Status);
    }

    [Fact]
    public void Rare_failures_on_a_set_the_baseline_always_passes_are_caught_not_cleared_by_a_lucky_first_round()
    {
        // 20 cases the baseline always passes; the candidate fails one call in ten. A first round of 20 passing calls
        // (12% of trials) used to be a zero-width interval, cleared at once: the gate passed. Seeded, 400 trials.
        const int cases = 20;
        const int trials = 400;
        var planner = new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions { MaxCalls = 2 * cases * 10, Cases = cases });
        var caught = 0;
        var calls = 0L;
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new SimulationRandom(900_000 + (ulong)trial);
            var candidate = new double[cases][];
            for (var i = 0; i < cases; i++)
            {
                candidate[i] = [.. Enumerable.Range(0, planner.MaxRounds).Select(_ => random.Bernoulli(0.9))];
            }

            for (var round = 1; ; round++)
            {
                var samples = PairedSamples.FromCases(
                    [.. Enumerable.Range(0, cases).Select(_ => (IReadOnlyList<double>)Enumerable.Repeat(1.0, round).ToArray())],
                    [.. candidate.Select(c => (IReadOnlyList<double>)c[..round])]);
                var decision = planner.Evaluate([new MetricSamples("accuracy", MetricKind.Rate, Accuracy, samples)], 2 * cases * round);
                if (!decision.Continue)
                {
                    caught += decision.Metrics[0].Verdict == Verdict.Regressed ? 1 : 0;
                    calls += 2 * cases * round;
                    break;
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"caught {caught}/{trials}, mean calls {(double)calls / trials:0} of {2 * cases * 10}");
        Assert.InRange((double)caught / trials, 0.95, 1);
    }

    [Fact]
    public void An_error_rate_without_failures_clears_at_once_in_strict_mode_too_and_failures_keep_it_open()
    {
        // max_error_rate bounds the error rate over the whole run: no floor for agreeing pairs, which with a 1-point
        // tolerance would take ~300 clean pairs to clear (a strict run could never pass). Failures are judged as ever.
        var errorGate = new MetricGate(MetricDirection.LowerIsBetter, 0.01, ToleranceKind.Absolute);
        var clean = new MetricSamples("error-rate", MetricKind.Rate, errorGate, CalibrationSimulation.Build(Cases, 2, (_, _) => (0, 0)), BoundedByRun: true);
        var accuracy = Rate("accuracy", Accuracy, 2, (_, _) => (1, 1));
        var broken = new MetricSamples("error-rate", MetricKind.Rate, errorGate, CalibrationSimulation.Build(Cases, 2, (i, _) => (0, i % 2)), BoundedByRun: true);
        var someFailures = new MetricSamples("error-rate", MetricKind.Rate, errorGate,
            CalibrationSimulation.Build(Cases, 2, (i, r) => (0, i == 7 && r == 0 ? 1 : 0)), BoundedByRun: true);
        var strict = new AdaptiveRepeatsPlanner(Planner.Options with { Strict = true });

        Assert.Equal(SequentialStopReason.AllDecided, Planner.Evaluate([clean, accuracy], 240).Reason);
        var strictly = strict.Evaluate([clean, accuracy], 240);
        Assert.Equal(SequentialStopReason.AllDecided, strictly.Reason);
        Assert.Equal(Verdict.Unchanged, strictly.Metrics[0].Verdict);
        Assert.Equal(SequentialStopReason.Regressed, Planner.Evaluate([broken, accuracy], 240).Reason);
        Assert.Equal(SequentialAction.Continue, Planner.Evaluate([someFailures, accuracy], 240).Action);
    }

    [Fact]
    public void A_continuous_metric_on_one_case_with_two_runs_or_on_two_cases_is_not_judged_on_normal_quantiles()
    {
        // Two runs are one degree of freedom: Student's t at 97.5% is 12.7, not 1.96. A 20% rise seen on two noisy runs
        // of a single case must not fail the run.
        var latency = new MetricSamples("latency", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.15),
            PairedSamples.FromCases([[100.0, 100.0]], [[115.0, 125.0]]));

        Assert.NotEqual(Verdict.Regressed, Planner.Assess(latency).Verdict);

        // Two cases are one degree of freedom too.
        var twoCases = new MetricSamples("latency", MetricKind.Continuous, MetricGate.LowerIsBetterRelative(0.15),
            PairedSamples.FromCases([[100.0], [100.0]], [[118.0], [124.0]]));
        Assert.NotEqual(Verdict.Regressed, Planner.Assess(twoCases).Verdict);
    }

    [Fact]
    public void A_metric_measured_on_one_case_is_judged_on_its_repeats_and_never_passes_unmeasured()
    {
        // One case carries the metric (an unlisted metric one case names): the case-clustered error is undefined. Its
        // repeats judge it, as the fixed design's bootstrap does; one run alone is inconclusive, never "unchanged".
        MetricSamples OneCase(int repeats) => new("safety", MetricKind.Rate, Accuracy, PairedSamples.FromCases(
            [Enumerable.Repeat(1.0, repeats).ToArray()], [Enumerable.Repeat(0.0, repeats).ToArray()]));

        var once = Planner.Assess(OneCase(1));
        var thrice = Planner.Assess(OneCase(3));

        Assert.Equal(Verdict.Inconclusive, once.Verdict);
        Assert.Equal(Verdict.Regressed, thrice.Verdict);
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
        // Two rounds: a rate whose pairs all agree clears at 120 pairs, not 60 (its standard error's floor).
        var open = Rate("tone", MetricGate.HigherIsBetter(0.05, gated: false), 2, Disagreeing);
        var cleared = Rate("accuracy", Accuracy, 2, (_, _) => (1, 1));

        Assert.Equal(SequentialStopReason.AllDecided, Planner.Evaluate([open, cleared], 240).Reason);
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
