using System.Globalization;
using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Reports;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Tests.Running;

/// <summary><c>repeats: auto</c> through the runner: rounds of one repeat per case until the planner stops.</summary>
public sealed class AdaptiveRunTests
{
    private const int Cases = 40;
    private const int Budget = 10 * 2 * Cases;

    private static readonly PromptTarget Baseline = new("support-reply", 3);
    private static readonly PromptTarget Candidate = new("support-reply", 4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_large_regression_stops_after_few_rounds_and_fails()
    {
        // The candidate passes a case only on even seeds and only for half the cases: a 25+ pp drop.
        var executor = new FakeCaseExecutor((r, _) => r.Target == Baseline || Number(r) % 2 == 0 ? Ok() : new CaseExecution { Output = "nope", LatencyMs = 100 });

        var run = await RunAsync(executor);
        var report = EvalReport.Create(run);

        Assert.NotNull(run.Adaptive);
        Assert.Equal(SequentialStopReason.Regressed, run.Adaptive.Reason);
        Assert.True(executor.Calls.Count <= 3 * 2 * Cases, $"{executor.Calls.Count} calls for a large regression");
        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal(["accuracy"], report.Blamed);
        Assert.Contains(report.RunNotes, n => n.StartsWith("adaptive repeats: stopped after", StringComparison.Ordinal) && n.Contains("a gated metric regressed", StringComparison.Ordinal));
        Assert.Contains("anytime CI", ConsoleReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identical_versions_of_a_seeded_model_stop_after_two_rounds_and_pass()
    {
        // Same seed, same answer on both versions. One round of 40 agreeing pairs does not clear a pass rate (a candidate
        // failing one call in ten would show none 1.5% of the time at 40 calls, and often at fewer): a second does.
        var executor = new FakeCaseExecutor((r, _) => (Number(r) + r.Seed) % 4 == 0 ? new CaseExecution { Output = "nope", LatencyMs = 100 } : Ok());

        var run = await RunAsync(executor);
        var report = EvalReport.Create(run);

        Assert.NotNull(run.Adaptive);
        Assert.Equal(SequentialStopReason.AllDecided, run.Adaptive.Reason);
        Assert.Equal(2 * 2 * Cases, executor.Calls.Count);
        Assert.Equal(GateResult.Pass, report.Result);
        Assert.True(run.UniformRepeats, "every round repeats every case");
    }

    [Fact]
    public async Task A_weighted_score_over_pass_fail_assertions_that_all_agree_is_not_cleared_by_the_first_round()
    {
        // A weighted score of 0/1 assertions is a rate in all but name (continuous by kind): a first round of 40 agreeing
        // pairs had a spread of 0 and cleared at once, as a pass rate's did before its floor.
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var run = await RunAsync(executor, aggregate: MetricAggregate.WeightedScore);

        Assert.Equal(SequentialStopReason.AllDecided, run.Adaptive!.Reason);
        Assert.Equal(2, run.Adaptive.Rounds);
        Assert.Equal(GateResult.Pass, EvalReport.Create(run).Result);
    }

    [Fact]
    public async Task A_run_whose_candidate_calls_fail_stops_after_its_first_round_as_a_fail_and_one_whose_baseline_calls_fail_as_incomplete()
    {
        var executor = new FakeCaseExecutor((r, _) => r.Target == Candidate ? CaseExecution.Failed("gateway answered 403: no pin") : Ok());
        var baselineBroken = new FakeCaseExecutor((r, _) => r.Target == Candidate ? Ok() : CaseExecution.Failed("gateway answered 403: no pin"));

        var run = await RunAsync(executor);
        var other = await RunAsync(baselineBroken);

        Assert.Equal(2 * Cases, executor.Calls.Count);
        Assert.Equal(GateResult.Fail, EvalReport.Create(run).Result);
        Assert.Equal(2 * Cases, baselineBroken.Calls.Count);
        Assert.Equal(GateResult.Incomplete, EvalReport.Create(other).Result);
        Assert.Contains(run.Notes, n => n.Contains("too many calls failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_early_failure_does_not_stop_an_adaptive_run_that_can_still_be_complete()
    {
        // One failed candidate call in round 1 is 2.5% of that round but 0.25% of the budget.
        var executor = new FakeCaseExecutor((r, _) => r.Target == Candidate && r.Case.Id == "c3" && r.Seed == 0 ? CaseExecution.Failed("gateway answered 502") : Ok());

        var run = await RunAsync(executor);

        Assert.Equal(SequentialStopReason.AllDecided, run.Adaptive!.Reason);
        Assert.DoesNotContain(run.Notes, n => n.Contains("too many calls failed", StringComparison.Ordinal));
        Assert.Equal(1, run.Calls.Candidate.Failed);
    }

    [Fact]
    public async Task A_regression_stops_the_run_even_while_an_early_failure_leaves_it_incomplete_but_recoverable()
    {
        // Round 1: a 25+ pp drop, and one failed baseline call (2.5% of the round, over max_error_rate, but the budget
        // could still make the run complete). A regression among the pairs measured is a fail: no more rounds to buy
        // (they used to continue, and could dilute the regression into "unchanged (underpowered)").
        var executor = new FakeCaseExecutor((r, _) =>
            r.Target == Baseline && r.Case.Id == "c3" && r.Seed == 0 ? CaseExecution.Failed("gateway answered 502")
            : r.Target == Baseline || Number(r) % 2 == 0 ? Ok()
            : new CaseExecution { Output = "nope", LatencyMs = 100 });

        var run = await RunAsync(executor);
        var report = EvalReport.Create(run);

        Assert.Equal(SequentialStopReason.Regressed, run.Adaptive!.Reason);
        Assert.Equal(1, run.Adaptive.Rounds);
        Assert.Equal(2 * Cases, executor.Calls.Count);
        Assert.False(run.Calls.Complete);
        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal(["accuracy"], report.Blamed);
    }

    [Fact]
    public async Task A_budget_below_one_round_is_refused_before_any_call()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var ex = await Assert.ThrowsAsync<EvalConfigException>(() => RunAsync(executor, maxCalls: Cases));

        Assert.Contains("cannot run one repeat", ex.Errors[0], StringComparison.Ordinal);
        Assert.Empty(executor.Calls);
    }

    private static int Number(CaseRequest request) => int.Parse(request.Case.Id[1..], CultureInfo.InvariantCulture);

    private static CaseExecution Ok() => new() { Output = "ok", LatencyMs = 100, CostUsd = 0.001m };

    private static Task<RunResult> RunAsync(ICaseExecutor executor, int maxCalls = Budget, MetricAggregate aggregate = MetricAggregate.AllPass)
    {
        var lines = Enumerable.Range(0, Cases).Select(i => $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":[{"type":"contains","value":"ok","metric":"accuracy"}]}""");
        var dataset = DatasetReader.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "golden.jsonl");
        var config = new EvalConfig
        {
            Datasets = ["golden.jsonl"],
            Metrics = [new MetricDefinition { Name = "accuracy", Aggregate = aggregate, Gate = MetricGate.HigherIsBetter(0.05) }],
            AdaptiveMaxCalls = maxCalls,
            Concurrency = 8,
        };
        var options = new EvalRunnerOptions { Retry = new CaseRetryOptions { MaxRetries = 0 } };
        return new EvalRunner(executor, ScorerRegistry.CreateDefault(), options).RunAsync(config, [dataset], Baseline, Candidate, Ct);
    }
}
