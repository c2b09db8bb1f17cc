using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Running;

public sealed class EvalRunnerTests
{
    private static readonly PromptTarget Baseline = new("support-reply", 3);
    private static readonly PromptTarget Candidate = new("support-reply", 4);
    private static readonly EvalRunnerOptions NoDelay = new() { Retry = new CaseRetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.Zero } };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EvalDataset Dataset(int cases, string assert = """[{"type":"contains","value":"ok","metric":"accuracy"}]""")
    {
        var lines = Enumerable.Range(0, cases).Select(i => $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":{{assert}}}""");
        return DatasetReader.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "golden.jsonl");
    }

    private static EvalConfig Config(int repeats = 1, int concurrency = 4, long seed = 0, string? cacheDir = null) => new()
    {
        Datasets = ["golden.jsonl"],
        Metrics =
        [
            new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) },
            new MetricDefinition { Name = "cost", Source = MetricSource.Cost, Gate = MetricGate.LowerIsBetterRelative(0.1) },
            new MetricDefinition { Name = "latency", Source = MetricSource.Latency, Gate = MetricGate.LowerIsBetterRelative(0.5, gated: false) },
        ],
        Repeats = repeats,
        Concurrency = concurrency,
        Seed = seed,
        CacheDirectory = cacheDir,
    };

    private static CaseExecution Ok(string output = "ok", decimal? cost = 0.001m) => new() { Output = output, LatencyMs = 100, CostUsd = cost };

    private static Task<RunResult> Run(ICaseExecutor executor, EvalConfig config, EvalDataset dataset, EvalRunnerOptions? options = null) =>
        new EvalRunner(executor, ScorerRegistry.CreateDefault(), options ?? NoDelay).RunAsync(config, [dataset], Baseline, Candidate, Ct);

    [Fact]
    public async Task Every_case_runs_for_every_repeat_on_both_versions_with_a_seed_per_repeat()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var result = await Run(executor, Config(repeats: 3, seed: 10), Dataset(4));

        Assert.Equal(4 * 3 * 2, executor.Calls.Count);
        Assert.Equal(4 * 3 * 2, result.Records.Count);
        foreach (var runCase in result.Cases)
        {
            for (var r = 0; r < 3; r++)
            {
                var b = result.Get(runCase.Index, r, RunSide.Baseline);
                var c = result.Get(runCase.Index, r, RunSide.Candidate);
                Assert.Equal(10 + r, b.Seed);
                Assert.Equal(b.Seed, c.Seed);
            }
        }

        Assert.Equal([10L, 11L, 12L], executor.Calls.Select(c => c.Seed).Distinct().Order());
        Assert.Equal(4 * 3, executor.Calls.Count(c => c.Target == Candidate));
    }

    [Fact]
    public async Task The_concurrency_bound_is_respected()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok(), TimeSpan.FromMilliseconds(15));

        await Run(executor, Config(repeats: 2, concurrency: 3), Dataset(10));

        Assert.InRange(executor.Peak, 2, 3);
    }

    [Fact]
    public async Task Transient_failures_are_retried_until_they_succeed()
    {
        var executor = new FakeCaseExecutor((_, attempt) => attempt < 3 ? CaseExecution.Failed("gateway answered 503", transient: true) : Ok());

        var result = await Run(executor, Config(), Dataset(2));

        Assert.All(result.Records, r => Assert.True(r.Passed));
        Assert.All(result.Records, r => Assert.Equal(3, r.Execution.Attempts));
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task A_call_that_keeps_failing_is_an_error_and_never_a_pass()
    {
        var executor = new FakeCaseExecutor((r, _) => r.Target == Candidate ? CaseExecution.Failed("gateway answered 500", transient: true) : Ok());

        var result = await Run(executor, Config(), Dataset(3));

        var candidate = result.Records.Where(r => r.Side == RunSide.Candidate).ToList();
        Assert.All(candidate, r =>
        {
            Assert.True(r.IsError);
            Assert.False(r.Passed);
            Assert.Equal(3, r.Execution.Attempts);
            Assert.Contains("gave up after 3 attempts", r.Execution.Error, StringComparison.Ordinal);
            Assert.All(r.Assertions, a => Assert.True(a.Result.IsError));

            // A failed call scores nothing: 0 would read as the best value of a lower-is-better metric, and as a
            // tie when both sides fail. It counts in the error rate alone.
            Assert.Null(r.Metrics["accuracy"]);
            Assert.Null(r.Metrics["cost"]);
            Assert.Equal(1, r.Metrics[EvalConfig.ErrorRateMetric]);
        });
        Assert.Equal(3, result.Errors.Count);
        Assert.Equal(new SideCalls(3, 0), result.Calls.Baseline);
        Assert.Equal(new SideCalls(3, 3), result.Calls.Candidate);
        Assert.False(result.Calls.Complete);
        Assert.Equal(3, result.PairsDroppedForErrors);

        // Only the error rate has pairs; the others are skipped, not faked. The candidate's own calls broke and the
        // baseline's did not: a fail, not "incomplete" (which the release gate passes over for an older pass).
        var set = result.ToMetricSamples();
        Assert.Equal([EvalConfig.ErrorRateMetric], set.Samples.Select(s => s.Name));
        Assert.Contains("accuracy", set.Skipped.Keys);
        Assert.Contains("cost", set.Skipped.Keys);
        var report = LlmGateway.Eval.Reports.EvalReport.Create(result);
        Assert.True(report.CandidateBroke);
        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal(EvalExitCodes.Fail, report.ExitCode);
        Assert.Contains(EvalConfig.ErrorRateMetric, report.Blamed);
        Assert.StartsWith("fail (the candidate's own calls failed", report.IncompleteReason, StringComparison.Ordinal);
        Assert.Contains("case 'c0' candidate", report.IncompleteReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_candidate_whose_calls_failed_is_a_failed_gate_in_the_junit_test_tab()
    {
        var executor = new FakeCaseExecutor((r, _) => r.Target == Candidate ? CaseExecution.Failed("gateway answered 500", transient: true) : Ok());
        var report = LlmGateway.Eval.Reports.EvalReport.Create(await Run(executor, Config(), Dataset(3)));

        var gates = System.Xml.Linq.XDocument.Parse(LlmGateway.Eval.Reports.JUnitReport.Render(report)).Root!
            .Elements("testsuite").Single(s => (string?)s.Attribute("name") == "gates");

        // Three failed pairs leave the error-rate gate inconclusive at best: the run's fail has a testcase of its own.
        Assert.Equal(EvalExitCodes.Fail, report.ExitCode);
        var failure = gates.Elements("testcase").Single(t => (string?)t.Attribute("name") == "candidate-calls").Element("failure")!;
        Assert.Equal("candidate-calls-failed", (string?)failure.Attribute("type"));
        Assert.StartsWith("fail (the candidate's own calls failed", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.NotEqual("0", (string?)gates.Attribute("failures"));
    }

    [Fact]
    public async Task A_run_whose_baseline_calls_keep_failing_is_incomplete_not_a_verdict_on_the_candidate()
    {
        var executor = new FakeCaseExecutor((r, _) => r.Target == Candidate ? Ok() : CaseExecution.Failed("gateway answered 500", transient: true));

        var report = LlmGateway.Eval.Reports.EvalReport.Create(await Run(executor, Config(), Dataset(3)));

        Assert.False(report.CandidateBroke);
        Assert.Equal(GateResult.Incomplete, report.Result);
        Assert.Equal(EvalExitCodes.Error, report.ExitCode);
        Assert.StartsWith("incomplete: 3 of 3 baseline", report.IncompleteReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried_and_a_throwing_executor_costs_only_its_case()
    {
        var executor = new FakeCaseExecutor((r, _) => r.Case.Id switch
        {
            "c0" => CaseExecution.Failed("gateway answered 400: bad variables"),
            "c1" => throw new InvalidOperationException("bug"),
            _ => Ok(),
        });

        var result = await Run(executor, Config(), Dataset(3));

        var c0 = result.Get(0, 0, RunSide.Baseline);
        Assert.Equal(1, c0.Execution.Attempts);
        Assert.Equal("gateway answered 400: bad variables", c0.Execution.Error);
        Assert.Contains("executor threw InvalidOperationException: bug", result.Get(1, 0, RunSide.Candidate).Execution.Error, StringComparison.Ordinal);
        Assert.True(result.Get(2, 0, RunSide.Candidate).Passed);
    }

    [Fact]
    public async Task A_second_run_is_served_from_the_cache_except_for_failed_calls()
    {
        var dir = Directory.CreateTempSubdirectory("evalcache-").FullName;
        try
        {
            var config = Config(repeats: 2, cacheDir: dir);
            var first = new FakeCaseExecutor((r, _) => r.Case.Id == "c1" && r.Target == Candidate ? CaseExecution.Failed("bad request") : Ok($"ok {r.Seed}"));
            var firstResult = await Run(first, config, Dataset(3));
            Assert.Equal(12, first.Calls.Count);
            Assert.Equal(0, firstResult.CacheHits);

            var second = new FakeCaseExecutor((_, _) => Ok("fresh"));
            var progress = new List<RunProgress>();
            var secondResult = await Run(second, config, Dataset(3), NoDelay with { Progress = progress.Add });

            // Only the two failed candidate calls for c1 are made again.
            Assert.Equal(2, second.Calls.Count);
            Assert.All(second.Calls, c => Assert.Equal(("c1", Candidate), (c.Case.Id, c.Target)));
            Assert.Equal(10, secondResult.CacheHits);
            Assert.Equal("ok 1", secondResult.Get(0, 1, RunSide.Baseline).Execution.Output);
            Assert.Equal(100, secondResult.Get(0, 1, RunSide.Baseline).Execution.LatencyMs);
            Assert.Equal(0.001m, secondResult.Get(0, 1, RunSide.Baseline).Execution.CostUsd);
            Assert.Equal(12, progress.Count);
            Assert.Equal((12, 12, 10, 0), (progress[^1].Completed, progress[^1].Total, progress[^1].CacheHits, progress[^1].Errors));

            // A different seed is a different call.
            var third = new FakeCaseExecutor((_, _) => Ok());
            await Run(third, config with { Seed = 7 }, Dataset(3));
            Assert.Equal(12, third.Calls.Count);

            // So is a streamed call: its latency and billing come from another path.
            var streamed = new FakeCaseExecutor((_, _) => Ok());
            await Run(streamed, config, Dataset(3), NoDelay with { CacheScope = "stream" });
            Assert.Equal(12, streamed.Calls.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_cached_answer_that_does_not_show_its_version_served_it_is_called_again()
    {
        var dir = Directory.CreateTempSubdirectory("evalcache-").FullName;
        try
        {
            var config = Config(cacheDir: dir);
            // Entries whose served version is not the pinned one (a cache written before answers had to say it holds none).
            await Run(new FakeCaseExecutor((r, _) => Ok() with { ServedVersion = r.Target.Version + 1 }), config, Dataset(2));

            var second = new FakeCaseExecutor((_, _) => Ok("fresh"));
            var result = await Run(second, config, Dataset(2));

            Assert.Equal(4, second.Calls.Count);
            Assert.Equal(0, result.CacheHits);

            // The fresh answers replaced them: a third run is served from the cache.
            var third = new FakeCaseExecutor((_, _) => Ok("later"));
            var cached = await Run(third, config, Dataset(2));
            Assert.Empty(third.Calls);
            Assert.Equal(4, cached.CacheHits);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_torn_cache_line_is_only_a_miss()
    {
        var dir = Directory.CreateTempSubdirectory("evalcache-").FullName;
        try
        {
            await Run(new FakeCaseExecutor((_, _) => Ok()), Config(cacheDir: dir), Dataset(1));
            await File.AppendAllTextAsync(Path.Combine(dir, ExecutionCache.FileName), "{\"key\":\"abc\",\"prom", Ct);

            await using var cache = await ExecutionCache.OpenAsync(dir, Ct);

            Assert.Equal(2, cache.Count);
            Assert.Equal(1, cache.UnreadableLines);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Metric_values_feed_the_statistics_and_a_regression_fails_the_gate()
    {
        // The candidate drops "ok" on every third case and costs twice as much.
        var executor = new FakeCaseExecutor((r, _) =>
        {
            var n = int.Parse(r.Case.Id[1..], System.Globalization.CultureInfo.InvariantCulture);
            return r.Target == Candidate ? Ok(n % 3 == 0 ? "nope" : "ok", 0.002m) : Ok("ok", 0.001m);
        });
        var config = Config(repeats: 2);

        var result = await Run(executor, config, Dataset(60));
        var pairs = result.Pairs(config.Metrics[0]);
        var set = result.ToMetricSamples();
        var report = new ComparisonGate(config.ToComparisonOptions() with { Resamples = 2000 }).Compare(set.Samples);

        Assert.Equal(60, pairs.CaseKeys.Count);
        Assert.All(pairs.Baseline, b => Assert.Equal([1.0, 1.0], b));
        Assert.Equal([0.0, 0.0], pairs.Candidate[0]);
        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal(["accuracy", "cost"], report.Blamed);
        Assert.Equal(Verdict.Unchanged, report.Metrics.Single(m => m.Name == "latency").Verdict);
    }

    [Fact]
    public async Task Weighted_score_metrics_average_by_weight_and_cases_without_feeding_assertions_are_left_out()
    {
        var dataset = DatasetReader.Parse(Encoding.UTF8.GetBytes("""
            {"id":"a","vars":{},"assert":[{"type":"contains","value":"x","metric":"tone","weight":3},{"type":"contains","value":"y","metric":"tone","weight":1}]}
            {"id":"b","vars":{},"assert":[{"type":"contains","value":"x","metric":"accuracy"}]}
            """), "golden.jsonl");
        var config = Config() with
        {
            Metrics =
            [
                new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) },
                new MetricDefinition { Name = "tone", Aggregate = MetricAggregate.WeightedScore, Gate = MetricGate.HigherIsBetter(0.05) },
            ],
        };

        var result = await Run(new FakeCaseExecutor((_, _) => Ok("x")), config, dataset);

        Assert.Equal(0.75, result.Get(0, 0, RunSide.Baseline).Metrics["tone"]);
        Assert.Null(result.Get(0, 0, RunSide.Baseline).Metrics["accuracy"]);
        Assert.Equal(["a"], result.Pairs(config.Metrics[1]).CaseKeys);
        Assert.Equal(MetricKind.Continuous, config.Metrics[1].Kind);
    }

    [Fact]
    public async Task Default_assertions_run_before_the_cases_own()
    {
        var config = Config() with { DefaultAssertions = [new AssertionSpec("not-is-refusal", Metric: "accuracy")] };

        var result = await Run(new FakeCaseExecutor((_, _) => Ok("I'm sorry, but I can't help with that. ok")), config, Dataset(1));

        var record = result.Get(0, 0, RunSide.Baseline);
        Assert.Equal(["not-is-refusal", "contains"], record.Assertions.Select(a => a.Assertion.Type));
        Assert.False(record.Passed);
        Assert.Equal(0, record.Metrics["accuracy"]);
    }

    [Theory]
    [InlineData("latency")]
    [InlineData("Cost")]
    [InlineData("error-rate")]
    public async Task An_assertion_naming_a_metric_measured_from_the_calls_is_refused_before_any_call(string metric)
    {
        // It became a second metric of that name, and the run threw when the first call was scored, after paying.
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var ex = await Assert.ThrowsAsync<EvalConfigException>(() => Run(executor, Config(), Dataset(3, $$"""[{"type":"latency","threshold":2000,"metric":"{{metric}}"}]""")));

        Assert.Contains("is measured from the calls", ex.Errors[0], StringComparison.Ordinal);
        Assert.Contains("case 'c0' assert[0]", ex.Errors[0], StringComparison.Ordinal);
        Assert.Empty(executor.Calls);
    }

    [Fact]
    public async Task A_scorer_that_cannot_run_scores_nothing_and_makes_the_run_incomplete()
    {
        // llm-rubric without a judge model errors on every run, on both sides: it used to score 0 = 0 and pass.
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var result = await Run(executor, Config(), Dataset(5, """[{"type":"llm-rubric","value":"is polite","metric":"accuracy"}]"""));
        var report = LlmGateway.Eval.Reports.EvalReport.Create(result);

        Assert.All(result.Records, r => Assert.Null(r.Metrics["accuracy"]));
        Assert.Equal(5, result.Calls.Candidate.ScoringErrors);
        Assert.False(result.Calls.Complete);
        Assert.Equal(GateResult.Incomplete, report.Result);
        Assert.Contains("scorer 'llm-rubric' errored", report.IncompleteReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gated_metric_that_nothing_measures_makes_the_run_incomplete_not_a_pass()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());
        var config = Config() with { Metrics = [.. Config().Metrics, new MetricDefinition { Name = "format", Gate = MetricGate.HigherIsBetter(0.05) }] };

        var report = LlmGateway.Eval.Reports.EvalReport.Create(await Run(executor, config, Dataset(5)));

        Assert.Equal(GateResult.Pass, report.Comparison.Result);
        Assert.Equal(GateResult.Incomplete, report.Result);
        Assert.Equal(["format"], report.UnmeasuredGated);
        Assert.Contains("format (no paired values", report.IncompleteReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metric_the_config_does_not_list_is_gated_with_defaults_and_one_note()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var result = await Run(executor, Config(), Dataset(3, """[{"type":"contains","value":"ok","metric":"tone"}]"""));

        var tone = Assert.Single(result.Config.Metrics, m => m.Name == "tone");
        Assert.True(tone.Gate.Gated);
        Assert.Equal(DefaultTolerances.PassRate, tone.Gate.Tolerance);
        var note = Assert.Single(result.Notes);
        Assert.Contains("metric 'tone' is named by 3 assertion(s) but not listed in the config", note, StringComparison.Ordinal);
        Assert.All(result.Records, r => Assert.Equal(1, r.Metrics["tone"]));
    }

    [Fact]
    public async Task Untagged_assertions_no_metric_lists_feed_the_pass_rate_instead_of_being_ignored()
    {
        // A promptfoo file as it is: its icontains carries no metric tag and the config lists no metric of that type.
        // It fed nothing, so a candidate failing it on every case passed on accuracy alone.
        var executor = new FakeCaseExecutor((r, _) => Ok(r.Target == Baseline ? "ok Acme" : "ok"));
        var config = Config() with { DefaultAssertions = [new AssertionSpec("not-is-refusal")] };

        var result = await Run(executor, config, Dataset(30, """[{"type":"contains","value":"ok","metric":"accuracy"},{"type":"icontains","value":"acme"}]"""));
        var report = LlmGateway.Eval.Reports.EvalReport.Create(result);

        var passRate = Assert.Single(result.Config.Metrics, m => m.Name == EvalConfig.UntaggedMetric);
        Assert.True(passRate.Gate.Gated);
        var note = Assert.Single(result.Notes);
        Assert.Contains("31 assertion(s) without a metric tag, of types no metric lists (icontains, not-is-refusal), feed metric 'pass-rate'", note, StringComparison.Ordinal);
        Assert.All(result.Records.Where(r => r.Side == RunSide.Candidate), r => Assert.Equal(0, r.Metrics[EvalConfig.UntaggedMetric]));
        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal([EvalConfig.UntaggedMetric], report.Blamed);
    }

    [Fact]
    public async Task An_untagged_assertion_in_one_case_is_reported_not_gated_and_a_clean_run_passes()
    {
        // One case measured once is an inconclusive interval: gated, it held every clean run inconclusive.
        var executor = new FakeCaseExecutor((_, _) => Ok("ok Acme"));
        var lines = Enumerable.Range(0, 30).Select(i => i == 0
            ? $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":[{"type":"contains","value":"ok","metric":"accuracy"},{"type":"icontains","value":"acme"}]}"""
            : $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":[{"type":"contains","value":"ok","metric":"accuracy"}]}""");
        var dataset = DatasetReader.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "golden.jsonl");

        var result = await Run(executor, Config(), dataset);
        var report = LlmGateway.Eval.Reports.EvalReport.Create(result);

        Assert.False(Assert.Single(result.Config.Metrics, m => m.Name == EvalConfig.UntaggedMetric).Gate.Gated);
        Assert.Contains("fed by one case run once: reported, not gated", Assert.Single(result.Notes), StringComparison.Ordinal);
        Assert.Equal(GateResult.Pass, report.Result);
    }

    [Fact]
    public async Task An_untagged_assertion_in_one_case_run_several_times_is_gated_and_a_candidate_failing_it_fails()
    {
        // One case repeated is judged on its repeats: ungated as a case run once is, a candidate that failed it on
        // every repeat passed (its error rate, all the run gated, was clean).
        var executor = new FakeCaseExecutor((r, _) => Ok(r.Target == Baseline ? "ok Acme" : "ok"));

        var result = await Run(executor, Config(repeats: 3), Dataset(1, """[{"type":"icontains","value":"acme"}]"""));
        var report = LlmGateway.Eval.Reports.EvalReport.Create(result);

        Assert.True(Assert.Single(result.Config.Metrics, m => m.Name == EvalConfig.UntaggedMetric).Gate.Gated);
        Assert.All(result.Records.Where(r => r.Side == RunSide.Candidate), r => Assert.Equal(0, r.Metrics[EvalConfig.UntaggedMetric]));
        Assert.Equal(GateResult.Fail, report.Result);
        Assert.Equal([EvalConfig.UntaggedMetric], report.Blamed);
    }

    [Fact]
    public async Task Untagged_assertions_are_refused_when_a_metric_of_another_name_takes_pass_rate_as_its_assertion_metric()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());
        var config = Config() with { Metrics = [new MetricDefinition { Name = "quality", AssertionMetric = EvalConfig.UntaggedMetric, Gate = MetricGate.HigherIsBetter(0.05) }] };

        var ex = await Assert.ThrowsAsync<EvalConfigException>(() => Run(executor, config, Dataset(3, """[{"type":"icontains","value":"ok"}]""")));

        Assert.Contains(ex.Errors, e => e.Contains("which metric 'quality' takes as its assertion_metric", StringComparison.Ordinal));
        Assert.Empty(executor.Calls);
    }

    [Fact]
    public async Task Untagged_assertions_a_metric_lists_by_type_are_left_to_it()
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());
        var config = Config() with { Metrics = [.. Config().Metrics, new MetricDefinition { Name = "brand", AssertionTypes = ["icontains"], Gate = MetricGate.HigherIsBetter(0.05) }] };

        var result = await Run(executor, config, Dataset(3, """[{"type":"contains","value":"ok","metric":"accuracy"},{"type":"not-icontains","value":"acme"}]"""));

        Assert.DoesNotContain(result.Config.Metrics, m => m.Name == EvalConfig.UntaggedMetric);
        Assert.Empty(result.Notes);
        Assert.All(result.Records, r => Assert.Equal(1, r.Metrics["brand"]));
    }

    [Theory]
    [InlineData("""[{"type":"contians","value":"ok"}]""", "unknown assertion type 'contians'")]
    [InlineData("""[{"type":"assert-set","assert":[{"type":"contains","value":"ok"},{"type":"icontians","value":"ok"}]}]""", "assert[0].assert[1]: unknown assertion type 'icontians'")]
    public async Task Typos_in_dataset_assertions_fail_before_any_call(string assert, string expected)
    {
        var executor = new FakeCaseExecutor((_, _) => Ok());

        var ex = await Assert.ThrowsAsync<EvalConfigException>(() => Run(executor, Config(), Dataset(2, assert)));

        Assert.Contains(ex.Errors, e => e.StartsWith("golden.jsonl:1: case 'c0' assert[0]", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(executor.Calls);
    }
}
