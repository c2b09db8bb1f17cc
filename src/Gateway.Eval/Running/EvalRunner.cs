using System.Globalization;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Runs every case × repeat × {baseline, candidate} with bounded concurrency, retrying transient failures, reusing
/// cached calls, scoring each output, and computing each run's metric values (see <see cref="MetricValues"/>).
/// </summary>
/// <remarks>
/// Work is ordered case, repeat, baseline then candidate, so the two sides of a pair run close together in time and
/// share whatever the provider was doing then. Repeat r of both versions is sent with the same seed, so a pair
/// differs only by version. Assertions are the config's defaults followed by the case's own.
/// </remarks>
internal sealed class EvalRunner
{
    private readonly RetryingCaseExecutor _executor;
    private readonly ScorerRegistry _scorers;
    private readonly EvalRunnerOptions _options;

    public EvalRunner(ICaseExecutor executor, ScorerRegistry scorers, EvalRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(scorers);
        _options = options ?? new EvalRunnerOptions();
        _executor = new RetryingCaseExecutor(executor, _options.Retry, _options.TimeProvider);
        _scorers = scorers;
    }

    /// <exception cref="EvalConfigException">An assertion has an unknown type.</exception>
    /// <exception cref="ExecutionCacheException">The config's cache directory cannot be opened (nothing has been called yet).</exception>
    /// <param name="baseline">The version to compare with, or null to run the candidate alone (judged on absolute thresholds).</param>
    public async Task<RunResult> RunAsync(
        EvalConfig config,
        IReadOnlyList<EvalDataset> datasets,
        PromptTarget? baseline,
        PromptTarget candidate,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(candidate);
        if (datasets.Count == 0)
        {
            throw new ArgumentException("At least one dataset is needed.", nameof(datasets));
        }

        var cases = CollectCases(datasets);
        var notes = new List<string>();
        config = CheckAssertions(config, cases, notes);

        var cache = _options.UseCache && config.CacheDirectory is { } directory
            ? await ExecutionCache.OpenAsync(directory, cancellationToken, _options.CacheWriteFailed, _options.OpenCacheFile).ConfigureAwait(false)
            : null;
        try
        {
            var session = new RunSession(this, config, cases, baseline, candidate, cache);
            IReadOnlyList<DatasetId> ids = [.. datasets.Select(d => d.Id)];
            if (config.AdaptiveMaxCalls is not null && baseline is null)
            {
                throw new EvalConfigException(config.SourcePath ?? "eval config", ["repeats: auto compares two versions; a candidate judged alone on thresholds runs fixed repeats"]);
            }

            if (config.AdaptiveMaxCalls is { } maxCalls && baseline is not null)
            {
                return await RunAdaptiveAsync(session, config, cases, baseline, candidate, ids, notes, maxCalls, cancellationToken).ConfigureAwait(false);
            }

            var work = new List<(RunCase Case, int Repeat)>(cases.Count * config.Repeats);
            foreach (var runCase in cases)
            {
                for (var r = 0; r < config.Repeats; r++)
                {
                    work.Add((runCase, r));
                }
            }

            var records = await session.RunAsync(work, cancellationToken).ConfigureAwait(false);
            return new RunResult(config, baseline, candidate, ids, cases, records, notes);
        }
        finally
        {
            if (cache is not null)
            {
                await cache.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// <c>--repeats auto</c>: one repeat of every case per round, then the planner decides on anytime-valid intervals
    /// whether another round can still change a gated verdict within the budget (<see cref="AdaptiveRepeatsPlanner"/>).
    /// Every round repeats every case: choosing cases by their outcomes would bias their means.
    /// </summary>
    private static async Task<RunResult> RunAdaptiveAsync(
        RunSession session,
        EvalConfig config,
        List<RunCase> cases,
        PromptTarget baseline,
        PromptTarget candidate,
        IReadOnlyList<DatasetId> datasets,
        List<string> notes,
        int maxCalls,
        CancellationToken cancellationToken)
    {
        if (cases.Count < 2 || maxCalls < 2 * cases.Count)
        {
            throw new EvalConfigException(config.SourcePath ?? "eval config", [cases.Count < 2
                ? "repeats: auto needs at least 2 cases: its intervals rest on the spread between cases"
                : $"max_calls {maxCalls} cannot run one repeat of {cases.Count} cases on both versions ({2 * cases.Count} calls)"]);
        }

        var planner = new AdaptiveRepeatsPlanner(new AdaptiveRepeatsOptions
        {
            MaxCalls = maxCalls,
            Cases = cases.Count,
            Confidence = config.Confidence,
            Strict = config.Strict,
        });
        var records = new List<RunRecord>();
        for (var repeat = 0; ; repeat++)
        {
            var round = cases.Select(c => (c, repeat)).ToList();
            records.AddRange(await session.RunAsync(round, cancellationToken).ConfigureAwait(false));
            var sofar = new RunResult(config, baseline, candidate, datasets, cases, records, notes);
            var decision = planner.Evaluate(sofar.ToMetricSamples().Samples, records.Count);

            // A run that can no longer be complete, even if every remaining call succeeded, has no verdict to sharpen:
            // more rounds would only spend more on a broken setup. One early failure alone neither stops it nor ends it
            // incomplete: while it is incomplete but could still be complete, it goes on (the intervals stay valid at
            // any round), so completeness is judged on a run of the size the budget allows, as a fixed run's would be.
            // A regression is the exception: among the pairs measured it is a fail, complete or not, and more rounds
            // would only spend calls that could dilute it.
            var doomed = CannotBeComplete(sofar.Calls, planner.MaxRounds * cases.Count);
            var roomForAnother = decision.Rounds < planner.MaxRounds && records.Count + planner.CallsPerRound <= maxCalls;
            var recoverable = !sofar.Calls.Complete && roomForAnother;
            var regressed = decision.Reason == SequentialStopReason.Regressed;
            if (doomed || regressed || (!decision.Continue && !recoverable))
            {
                notes.Add($"adaptive repeats: stopped after {decision.Rounds} round(s), {records.Count} of at most {planner.MaxRounds * planner.CallsPerRound} calls "
                    + $"({maxCalls} budgeted), because {Because(doomed ? SequentialStopReason.None : decision.Reason)}; intervals are repeated confidence intervals "
                    + $"(Hwang–Shih–DeCani α-spending over {planner.MaxRounds} looks), valid at whichever round the run stops");
                return new RunResult(config, baseline, candidate, datasets, cases, records, notes) { Adaptive = decision };
            }
        }
    }

    private static bool CannotBeComplete(CallCounts calls, int perSideBudget) =>
        calls.Baseline.Failed + calls.Baseline.ScoringErrors > calls.MaxErrorRate * perSideBudget
        || calls.Candidate.Failed + calls.Candidate.ScoringErrors > calls.MaxErrorRate * perSideBudget;

    private static string Because(SequentialStopReason reason) => reason switch
    {
        SequentialStopReason.Regressed => "a gated metric regressed",
        SequentialStopReason.AllDecided => "every gated metric was decided",
        SequentialStopReason.BudgetSpent => "the budget was spent",
        SequentialStopReason.NothingGated => "no metric is gated",
        _ => "too many calls failed",
    };

    /// <summary>
    /// Runs (case, repeat) pairs on both sides, in that order, with bounded concurrency; the unit a fixed run
    /// executes once and an adaptive run executes round by round.
    /// </summary>
    private sealed class RunSession(EvalRunner runner, EvalConfig config, IReadOnlyList<RunCase> cases, PromptTarget? baseline, PromptTarget candidate, ExecutionCache? cache)
    {
        // Without a baseline every work item is one candidate call; with one, a baseline call then a candidate call.
        private readonly int _sides = baseline is null ? 1 : 2;
        private readonly string[] _inputHashes = [.. cases.Select(c => CaseInputHash.Of(c.Case))];
        private readonly Lock _progressLock = new();
        private int _completed, _cacheHits, _errors, _total;

        public async Task<IReadOnlyList<RunRecord>> RunAsync(List<(RunCase Case, int Repeat)> work, CancellationToken cancellationToken)
        {
            var records = new RunRecord[work.Count * _sides];
            lock (_progressLock)
            {
                _total += records.Length;
            }

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = config.Concurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, records.Length), parallel, async (i, token) =>
            {
                var side = _sides == 1 ? RunSide.Candidate : (RunSide)(i % 2);
                var (runCase, repeat) = work[i / _sides];
                var request = new CaseRequest(side == RunSide.Baseline ? baseline! : candidate, runCase.Case, config.SeedForRepeat(repeat));
                var key = CaseInputHash.KeyFor(request, _inputHashes[runCase.Index], runner._options.CacheScope);

                CaseExecution execution;
                if (cache is not null && cache.TryGet(key, out var cached))
                {
                    execution = cached;
                }
                else
                {
                    execution = await runner._executor.ExecuteAsync(request, token).ConfigureAwait(false);
                    if (cache is not null)
                    {
                        await cache.AddAsync(key, request, _inputHashes[runCase.Index], execution, token).ConfigureAwait(false);
                    }
                }

                var outcomes = await runner.ScoreAsync(config, runCase.Case, execution, token).ConfigureAwait(false);
                var metrics = config.AllMetrics.ToDictionary(m => m.Name, m => MetricValues.Compute(m, execution, outcomes), StringComparer.Ordinal);
                var record = new RunRecord(runCase, repeat, side, request.Seed, execution, outcomes, metrics);
                records[i] = record;

                lock (_progressLock)
                {
                    _completed++;
                    _cacheHits += execution.FromCache ? 1 : 0;
                    _errors += record.IsError ? 1 : 0;
                    runner._options.Progress?.Invoke(new RunProgress(_completed, _total, _cacheHits, _errors, record));
                }
            }).ConfigureAwait(false);
            return records;
        }
    }

    private async Task<IReadOnlyList<AssertionOutcome>> ScoreAsync(EvalConfig config, EvalCase evalCase, CaseExecution execution, CancellationToken cancellationToken)
    {
        var assertions = config.DefaultAssertions.Concat(evalCase.Assertions).ToList();
        var outcomes = new List<AssertionOutcome>(assertions.Count);
        if (!execution.Succeeded)
        {
            // Nothing to score; every assertion errors, so the run can only count against its version.
            foreach (var assertion in assertions)
            {
                outcomes.Add(new AssertionOutcome(assertion, ScoreResult.Errored($"not scored: the call failed: {execution.Error}")));
            }

            return outcomes;
        }

        var input = new ScoringInput
        {
            Output = execution.Output,
            ToolCalls = execution.ToolCalls,
            LatencyMs = execution.LatencyMs,
            CostUsd = execution.CostUsd,
            OutputTokens = execution.OutputTokens,
            Vars = evalCase.Vars,
            Expected = evalCase.Expected,
        };
        foreach (var assertion in assertions)
        {
            outcomes.Add(new AssertionOutcome(assertion, await _scorers.ScoreAsync(assertion, input, cancellationToken).ConfigureAwait(false)));
        }

        return outcomes;
    }

    private static List<RunCase> CollectCases(IReadOnlyList<EvalDataset> datasets)
    {
        var cases = new List<RunCase>();
        foreach (var dataset in datasets)
        {
            foreach (var evalCase in dataset.Cases)
            {
                var key = datasets.Count == 1 ? evalCase.Id : $"{dataset.Id.FileName}#{evalCase.Id}";
                cases.Add(new RunCase(cases.Count, key, dataset.Id, evalCase));
            }
        }

        var duplicate = cases.GroupBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? cases
            : throw new ArgumentException($"Case '{duplicate.Key}' appears in more than one dataset with the same file name.", nameof(datasets));
    }

    /// <summary>
    /// A typo in a type would otherwise show up only as errored scores after paying for the run, so unknown types are
    /// errors. A metric name the config does not list is not: the dataset's author named it on purpose, so it is
    /// measured and gated with the defaults (<see cref="DefaultTolerances"/>) and one note says so. An assertion with no
    /// tag that no metric's <c>types</c> list would feed nothing and be ignored without a word: it is tagged
    /// <see cref="EvalConfig.UntaggedMetric"/>, which is measured the same way.
    /// </summary>
    private EvalConfig CheckAssertions(EvalConfig config, List<RunCase> cases, List<string> notes)
    {
        config = TagUnclaimed(config, cases, notes);
        var problems = new List<string>();
        var unlisted = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var runCase in cases)
        {
            for (var i = 0; i < runCase.Case.Assertions.Count; i++)
            {
                var assertion = runCase.Case.Assertions[i];
                var at = $"{runCase.Dataset.FileName}:{runCase.Case.Line}: case '{runCase.Case.Id}' assert[{i}]";
                CheckType(assertion, at, problems);

                if (assertion.Metric is { } metric && !config.Metrics.Any(m => m.AcceptsMetricName(metric)))
                {
                    // A metric measured from the calls (cost, latency, the error rate) under that name: an unlisted
                    // metric of the same name would be a second one, found only when the first call is scored.
                    if (config.AllMetrics.FirstOrDefault(m => string.Equals(m.Name, metric, StringComparison.OrdinalIgnoreCase)) is { } taken)
                    {
                        problems.Add($"{at}: {MetricDefinition.NotFedByAssertions(taken)}");
                        continue;
                    }

                    unlisted[metric] = unlisted.GetValueOrDefault(metric) + 1;
                }
            }
        }

        for (var i = 0; i < config.DefaultAssertions.Count; i++)
        {
            CheckType(config.DefaultAssertions[i], $"default_assert[{i}]", problems);
        }

        if (problems.Count > 0)
        {
            throw new EvalConfigException(config.SourcePath ?? "eval config", problems);
        }

        if (unlisted.Count == 0)
        {
            return config;
        }

        var added = new List<MetricDefinition>();
        foreach (var (name, count) in unlisted.OrderBy(u => u.Key, StringComparer.OrdinalIgnoreCase))
        {
            var gate = DefaultTolerances.ForUnlistedAssertionMetric();
            added.Add(new MetricDefinition { Name = name, AssertionMetric = name, Gate = gate });
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"metric '{name}' is named by {count} assertion(s) but not listed in the config: gated with the defaults (higher is better, all-pass, {gate.Tolerance * 100:0.#} pp tolerance)"));
        }

        return config with { Metrics = [.. config.Metrics, .. added] };
    }

    /// <summary>
    /// Tags <see cref="EvalConfig.UntaggedMetric"/> on every top-level assertion (the config's defaults and the cases')
    /// that has no <c>metric</c> and whose type no metric lists, with one note naming how many and of which types.
    /// </summary>
    private static EvalConfig TagUnclaimed(EvalConfig config, List<RunCase> cases, List<string> notes)
    {
        var types = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var count = 0;
        AssertionSpec Claim(AssertionSpec assertion)
        {
            if (assertion.Metric is not null || config.Metrics.Any(m => m.IsFedBy(assertion)))
            {
                return assertion;
            }

            count++;
            types.Add(assertion.Type.Trim());
            return assertion with { Metric = EvalConfig.UntaggedMetric };
        }

        var defaults = config.DefaultAssertions.Select(Claim).ToList();
        var casesFed = defaults.SequenceEqual(config.DefaultAssertions) ? 0 : cases.Count;
        for (var i = 0; i < cases.Count; i++)
        {
            var tagged = cases[i].Case.Assertions.Select(Claim).ToList();
            if (!tagged.SequenceEqual(cases[i].Case.Assertions))
            {
                cases[i] = cases[i] with { Case = cases[i].Case with { Assertions = tagged } };
                casesFed = defaults.SequenceEqual(config.DefaultAssertions) ? casesFed + 1 : casesFed;
            }
        }

        if (count == 0)
        {
            return config;
        }

        // The metric that assertions tagged pass-rate feed: one named so, or one whose assertion_metric is pass-rate.
        var listed = config.Metrics.FirstOrDefault(m => m.AcceptsMetricName(EvalConfig.UntaggedMetric));
        if (listed is not null && !string.Equals(listed.Name, EvalConfig.UntaggedMetric, StringComparison.OrdinalIgnoreCase))
        {
            throw new EvalConfigException(config.SourcePath ?? "eval config", [
                $"{count} assertion(s) without a metric tag, of types no metric lists ({string.Join(", ", types)}), feed '{EvalConfig.UntaggedMetric}', which metric '{listed.Name}' takes as its assertion_metric: name that metric '{EvalConfig.UntaggedMetric}', or tag the assertions"]);
        }

        if (listed is { Source: not MetricSource.Assertions })
        {
            throw new EvalConfigException(config.SourcePath ?? "eval config", [
                $"{count} assertion(s) without a metric tag, of types no metric lists ({string.Join(", ", types)}), would feed '{EvalConfig.UntaggedMetric}', but {MetricDefinition.NotFedByAssertions(listed)}"]);
        }

        // A config that lists the metric sets its gate; otherwise it gets the defaults, as an unlisted tag's metric does,
        // unless it is measured on one case run once: that is an inconclusive interval, and a config that never asked
        // for the metric must not have every run held inconclusive by one untagged assertion. One case run more than
        // once (fixed repeats, or adaptive rounds) is judged on its repeats, so it stays gated: ungated, a candidate
        // failing it on every repeat passed.
        var defaultGate = DefaultTolerances.ForUnlistedAssertionMetric();
        var judged = casesFed >= 2 || config.Repeats > 1 || config.AdaptiveMaxCalls is not null;
        var gate = judged ? defaultGate : MetricGate.HigherIsBetter(defaultGate.Tolerance, gated: false);
        var how = listed is not null ? "as the config lists it"
            : gate.Gated ? $"not listed in the config: gated with the defaults (higher is better, all-pass, {(gate.Tolerance * 100).ToString("0.#", CultureInfo.InvariantCulture)} pp tolerance)"
            : "not listed in the config, and fed by one case run once: reported, not gated";
        notes.Add($"{count} assertion(s) without a metric tag, of types no metric lists ({string.Join(", ", types)}), feed metric '{EvalConfig.UntaggedMetric}', "
            + $"{how}; tag them, or list their types under a metric's types, to measure them elsewhere");
        IReadOnlyList<MetricDefinition> metrics = listed is null
            ? [.. config.Metrics, new MetricDefinition { Name = EvalConfig.UntaggedMetric, Gate = gate }]
            : config.Metrics;
        return config with { DefaultAssertions = defaults, Metrics = metrics };
    }

    /// <summary>Checks an assertion's type, and an assert-set's members at any depth, against the registry.</summary>
    private void CheckType(AssertionSpec assertion, string at, List<string> problems)
    {
        var type = assertion.Type.Trim();
        var baseType = type.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase) ? type[ScorerRegistry.NegationPrefix.Length..] : type;
        if (!_scorers.TryGetScorer(baseType, out _))
        {
            problems.Add($"{at}: unknown assertion type '{type}'; known: {string.Join(", ", _scorers.Names)}");
        }

        for (var i = 0; i < (assertion.Children?.Count ?? 0); i++)
        {
            CheckType(assertion.Children![i], $"{at}.assert[{i}]", problems);
        }
    }
}
