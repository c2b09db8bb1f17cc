using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Scoring;

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

    /// <exception cref="EvalConfigException">An assertion has an unknown type or names a metric the config does not define.</exception>
    public async Task<RunResult> RunAsync(
        EvalConfig config,
        IReadOnlyList<EvalDataset> datasets,
        PromptTarget baseline,
        PromptTarget candidate,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (datasets.Count == 0)
        {
            throw new ArgumentException("At least one dataset is needed.", nameof(datasets));
        }

        var cases = CollectCases(datasets);
        CheckAssertions(config, cases);

        var total = cases.Count * config.Repeats * 2;
        var records = new RunRecord[total];
        var progressLock = new Lock();
        int completed = 0, cacheHits = 0, errors = 0;

        var cache = _options.UseCache && config.CacheDirectory is { } directory
            ? await ExecutionCache.OpenAsync(directory, cancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            var inputHashes = cases.Select(c => CaseInputHash.Of(c.Case)).ToArray();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = config.Concurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, total), parallel, async (i, token) =>
            {
                var side = (RunSide)(i % 2);
                var repeat = i / 2 % config.Repeats;
                var runCase = cases[i / 2 / config.Repeats];
                var request = new CaseRequest(side == RunSide.Baseline ? baseline : candidate, runCase.Case, config.SeedForRepeat(repeat));
                var key = CaseInputHash.KeyFor(request, inputHashes[runCase.Index]);

                CaseExecution execution;
                if (cache is not null && cache.TryGet(key, out var cached))
                {
                    execution = cached;
                }
                else
                {
                    execution = await _executor.ExecuteAsync(request, token).ConfigureAwait(false);
                    if (cache is not null)
                    {
                        await cache.AddAsync(key, request, inputHashes[runCase.Index], execution, token).ConfigureAwait(false);
                    }
                }

                var outcomes = await ScoreAsync(config, runCase.Case, execution, token).ConfigureAwait(false);
                var metrics = config.Metrics.ToDictionary(m => m.Name, m => MetricValues.Compute(m, execution, outcomes), StringComparer.Ordinal);
                var record = new RunRecord(runCase, repeat, side, request.Seed, execution, outcomes, metrics);
                records[i] = record;

                lock (progressLock)
                {
                    completed++;
                    cacheHits += execution.FromCache ? 1 : 0;
                    errors += record.IsError ? 1 : 0;
                    _options.Progress?.Invoke(new RunProgress(completed, total, cacheHits, errors, record));
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            if (cache is not null)
            {
                await cache.DisposeAsync().ConfigureAwait(false);
            }
        }

        return new RunResult(config, baseline, candidate, [.. datasets.Select(d => d.Id)], cases, records);
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

    // A typo in a type or metric name would otherwise show up only as errored or unfed scores after paying for the run.
    private void CheckAssertions(EvalConfig config, List<RunCase> cases)
    {
        var problems = new List<string>();
        foreach (var runCase in cases)
        {
            for (var i = 0; i < runCase.Case.Assertions.Count; i++)
            {
                var assertion = runCase.Case.Assertions[i];
                var at = $"{runCase.Dataset.FileName}:{runCase.Case.Line}: case '{runCase.Case.Id}' assert[{i}]";
                var type = assertion.Type.Trim();
                var baseType = type.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase) ? type[ScorerRegistry.NegationPrefix.Length..] : type;
                if (!_scorers.TryGetScorer(baseType, out _))
                {
                    problems.Add($"{at}: unknown assertion type '{type}'; known: {string.Join(", ", _scorers.Names)}");
                }

                if (assertion.Metric is { } metric && !config.Metrics.Any(m => m.AcceptsMetricName(metric)))
                {
                    problems.Add($"{at}: metric '{metric}' is not a metric of the config (metrics: {string.Join(", ", config.Metrics.Select(m => m.Name))})");
                }
            }
        }

        for (var i = 0; i < config.DefaultAssertions.Count; i++)
        {
            var type = config.DefaultAssertions[i].Type.Trim();
            var baseType = type.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase) ? type[ScorerRegistry.NegationPrefix.Length..] : type;
            if (!_scorers.TryGetScorer(baseType, out _))
            {
                problems.Add($"default_assert[{i}]: unknown assertion type '{type}'");
            }
        }

        if (problems.Count > 0)
        {
            throw new EvalConfigException(config.SourcePath ?? "eval config", problems);
        }
    }
}
