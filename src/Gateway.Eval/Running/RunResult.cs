using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Every run of an evaluation (case × repeat × version) with its raw values and errors, and the paired metric
/// arrays the statistics layer consumes (<see cref="ToMetricSamples"/>). Cases may have different numbers of
/// repeats (adaptive repeats add them where a verdict is still open); each (case, repeat) has both sides.
/// </summary>
internal sealed class RunResult
{
    /// <summary>How many failed calls the reports and messages name.</summary>
    public const int FirstErrorsShown = 5;

    private readonly RunRecord[] _records;
    private readonly Dictionary<(int Case, int Repeat, RunSide Side), RunRecord> _index;
    private readonly int[] _repeats;

    public RunResult(
        EvalConfig config,
        PromptTarget? baseline,
        PromptTarget candidate,
        IReadOnlyList<DatasetId> datasets,
        IReadOnlyList<RunCase> cases,
        IReadOnlyList<RunRecord> records,
        IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(records);
        Config = config;
        Baseline = baseline;
        Candidate = candidate;
        Datasets = datasets;
        Cases = cases;
        Notes = notes ?? [];
        _repeats = new int[cases.Count];
        _index = new Dictionary<(int, int, RunSide), RunRecord>(records.Count);
        foreach (var record in records)
        {
            if (!_index.TryAdd((record.Case.Index, record.Repeat, record.Side), record))
            {
                throw new ArgumentException($"Case {record.Case.Key} repeat {record.Repeat} {record.Side} appears twice.", nameof(records));
            }

            _repeats[record.Case.Index] = Math.Max(_repeats[record.Case.Index], record.Repeat + 1);
        }

        for (var c = 0; c < cases.Count; c++)
        {
            for (var r = 0; r < _repeats[c]; r++)
            {
                if ((baseline is not null && !_index.ContainsKey((c, r, RunSide.Baseline))) || !_index.ContainsKey((c, r, RunSide.Candidate)))
                {
                    throw new ArgumentException($"Case {cases[c].Key} repeat {r} lacks a side; repeats pair one to one.", nameof(records));
                }
            }
        }

        _records = [.. _index.Values.OrderBy(r => r.Case.Index).ThenBy(r => r.Repeat).ThenBy(r => r.Side)];
        Calls = new CallCounts(SideOf(RunSide.Baseline), SideOf(RunSide.Candidate), config.MaxErrorRate);
    }

    public EvalConfig Config { get; }

    /// <summary>The version compared with; null for a candidate-only run judged on absolute thresholds.</summary>
    public PromptTarget? Baseline { get; }

    public PromptTarget Candidate { get; }

    public IReadOnlyList<DatasetId> Datasets { get; }

    public IReadOnlyList<RunCase> Cases { get; }

    /// <summary>One-line notes about how the run was read (e.g. a metric the config did not list, given defaults).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The most repeats any case had (every case's count with fixed repeats).</summary>
    public int Repeats => _repeats.Length == 0 ? 0 : _repeats.Max();

    /// <summary>Whether every case ran the same number of repeats.</summary>
    public bool UniformRepeats => _repeats.Distinct().Count() <= 1;

    /// <summary>All runs, ordered case, repeat, baseline before candidate.</summary>
    public IReadOnlyList<RunRecord> Records => _records;

    public int CacheHits => _records.Count(r => r.Execution.FromCache);

    /// <summary>An adaptive run's final planner decision (its metrics' anytime intervals and verdicts); null for fixed repeats.</summary>
    public AdaptiveDecision? Adaptive { get; init; }

    /// <summary>Calls per side, failed calls per side, and whether the run is complete.</summary>
    public CallCounts Calls { get; }

    /// <summary>Runs whose call failed after retries. They count in the error rate and in no other metric.</summary>
    public IReadOnlyList<RunRecord> Errors => [.. _records.Where(r => r.IsError)];

    /// <summary>(case, repeat) pairs left out of the other metrics' comparisons because a side's call failed.</summary>
    public int PairsDroppedForErrors =>
        Cases.Sum(c => Enumerable.Range(0, _repeats[c.Index]).Count(r => TryGet(c.Index, r, RunSide.Baseline)?.IsError == true || Get(c.Index, r, RunSide.Candidate).IsError));

    public int RepeatsOf(int caseIndex) => _repeats[caseIndex];

    public RunRecord Get(int caseIndex, int repeat, RunSide side) => _index[(caseIndex, repeat, side)];

    public RunRecord? TryGet(int caseIndex, int repeat, RunSide side) => _index.GetValueOrDefault((caseIndex, repeat, side));

    /// <summary>
    /// The metric's candidate values by case (repeats in order), dropping failed calls and unknown values; what a
    /// candidate-only run is judged on.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>> CandidateValues(MetricDefinition metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var values = new List<IReadOnlyList<double>>();
        foreach (var runCase in Cases)
        {
            var caseValues = new List<double>();
            for (var r = 0; r < _repeats[runCase.Index]; r++)
            {
                if (Get(runCase.Index, r, RunSide.Candidate).Metrics.GetValueOrDefault(metric.Name) is { } value)
                {
                    caseValues.Add(value);
                }
            }

            if (caseValues.Count > 0)
            {
                values.Add(caseValues);
            }
        }

        return values;
    }

    /// <summary>The first failed calls (or, failing those, runs a scorer could not judge) in run order, for messages that must say what went wrong.</summary>
    public IReadOnlyList<RunRecord> FirstErrors(int count = FirstErrorsShown) => [.. _records.Where(r => r.IsError || r.HasScoringError).Take(count)];

    /// <summary>The metric's values paired by (case, repeat).</summary>
    public PairedMetricValues Pairs(MetricDefinition metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var keys = new List<string>();
        var baseline = new List<IReadOnlyList<double>>();
        var candidate = new List<IReadOnlyList<double>>();
        int droppedPairs = 0, droppedCases = 0;
        foreach (var runCase in Cases)
        {
            var repeats = _repeats[runCase.Index];
            var b = new List<double>(repeats);
            var c = new List<double>(repeats);
            for (var r = 0; r < repeats; r++)
            {
                var bv = Get(runCase.Index, r, RunSide.Baseline).Metrics.GetValueOrDefault(metric.Name);
                var cv = Get(runCase.Index, r, RunSide.Candidate).Metrics.GetValueOrDefault(metric.Name);
                if (bv is { } x && cv is { } y)
                {
                    b.Add(x);
                    c.Add(y);
                }
                else if (bv is not null || cv is not null)
                {
                    droppedPairs++;
                }
            }

            if (b.Count > 0)
            {
                keys.Add(runCase.Key);
                baseline.Add(b);
                candidate.Add(c);
            }
            else
            {
                droppedCases++;
            }
        }

        return new PairedMetricValues(metric.Name, keys, baseline, candidate, droppedPairs, droppedCases);
    }

    /// <summary>Every metric (the error rate first) as <see cref="MetricSamples"/> for <see cref="ComparisonGate.Compare"/>, or the reason it has none.</summary>
    public MetricSampleSet ToMetricSamples()
    {
        var samples = new List<MetricSamples>();
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var metric in Config.AllMetrics)
        {
            if (Baseline is null)
            {
                // A candidate-only run: the samples carry the candidate on both sides, and ThresholdGate reads only
                // the candidate side.
                var values = CandidateValues(metric);
                if (values.Count == 0)
                {
                    skipped[metric.Name] = "no values: no assertion feeds this metric, or every call failed";
                    continue;
                }

                samples.Add(new MetricSamples(metric.Name, metric.Kind, metric.Gate, PairedSamples.FromCases(values, values)));
                continue;
            }

            var pairs = Pairs(metric);
            if (pairs.CaseKeys.Count == 0)
            {
                skipped[metric.Name] = metric.Source switch
                {
                    MetricSource.Assertions when Calls.Failed == Calls.Total => "no paired values: every call failed",
                    MetricSource.Assertions => "no paired values: no assertion of any case feeds this metric, or every case had a failed call",
                    MetricSource.Cost => "no paired values: the cost was unknown (unpriced model) or every call failed",
                    _ => "no paired values: every call failed",
                };
                continue;
            }

            samples.Add(new MetricSamples(metric.Name, metric.Kind, metric.Gate, PairedSamples.FromCases(pairs.Baseline, pairs.Candidate), BoundedByRun: metric.Source == MetricSource.Errors, Scores: metric.Source == MetricSource.Assertions));
        }

        return new MetricSampleSet(samples, skipped);
    }

    private SideCalls SideOf(RunSide side)
    {
        var runs = _records.Where(r => r.Side == side).ToList();
        return new SideCalls(runs.Count, runs.Count(r => r.IsError), runs.Count(r => r.HasScoringError));
    }
}
