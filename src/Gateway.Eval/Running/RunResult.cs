using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Every run of an evaluation (case × repeat × version) with its raw values and errors, and the paired metric
/// arrays the statistics layer consumes (<see cref="ToMetricSamples"/>).
/// </summary>
internal sealed class RunResult
{
    private readonly RunRecord[] _records;

    public RunResult(EvalConfig config, PromptTarget baseline, PromptTarget candidate, IReadOnlyList<DatasetId> datasets, IReadOnlyList<RunCase> cases, IReadOnlyList<RunRecord> records)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count != cases.Count * config.Repeats * 2)
        {
            throw new ArgumentException($"Expected {cases.Count * config.Repeats * 2} runs ({cases.Count} cases × {config.Repeats} repeats × 2 versions), got {records.Count}.", nameof(records));
        }

        Config = config;
        Baseline = baseline;
        Candidate = candidate;
        Datasets = datasets;
        Cases = cases;
        _records = new RunRecord[records.Count];
        foreach (var record in records)
        {
            _records[IndexOf(record.Case.Index, record.Repeat, record.Side)] = record;
        }
    }

    public EvalConfig Config { get; }

    public PromptTarget Baseline { get; }

    public PromptTarget Candidate { get; }

    public IReadOnlyList<DatasetId> Datasets { get; }

    public IReadOnlyList<RunCase> Cases { get; }

    public int Repeats => Config.Repeats;

    /// <summary>All runs, ordered case, repeat, baseline before candidate.</summary>
    public IReadOnlyList<RunRecord> Records => _records;

    public int CacheHits => _records.Count(r => r.Execution.FromCache);

    /// <summary>Runs whose call failed after retries; each is scored as failing.</summary>
    public IReadOnlyList<RunRecord> Errors => [.. _records.Where(r => r.IsError)];

    public RunRecord Get(int caseIndex, int repeat, RunSide side) => _records[IndexOf(caseIndex, repeat, side)];

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
            var b = new List<double>(Repeats);
            var c = new List<double>(Repeats);
            for (var r = 0; r < Repeats; r++)
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

    /// <summary>Every configured metric as <see cref="MetricSamples"/> for <see cref="ComparisonGate.Compare"/>, or the reason it has none.</summary>
    public MetricSampleSet ToMetricSamples()
    {
        var samples = new List<MetricSamples>();
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var metric in Config.Metrics)
        {
            var pairs = Pairs(metric);
            if (pairs.CaseKeys.Count == 0)
            {
                skipped[metric.Name] = metric.Source switch
                {
                    MetricSource.Assertions => "no paired values: no assertion of any case feeds this metric",
                    MetricSource.Cost => "no paired values: the cost was unknown (unpriced model) or every call failed",
                    _ => "no paired values: every call failed",
                };
                continue;
            }

            samples.Add(new MetricSamples(metric.Name, metric.Kind, metric.Gate, PairedSamples.FromCases(pairs.Baseline, pairs.Candidate)));
        }

        return new MetricSampleSet(samples, skipped);
    }

    private int IndexOf(int caseIndex, int repeat, RunSide side) => (((caseIndex * Config.Repeats) + repeat) * 2) + (int)side;
}
