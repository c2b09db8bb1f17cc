using System.Diagnostics;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LlmGateway.Telemetry;

namespace LlmGateway.Behaviour;

/// <summary>
/// Online evaluation's instruments: <c>gateway_eval_score</c> (every rate or score reading, in [0, 1]),
/// <c>gateway_eval_pass_ratio</c> (passes over judged readings this process has counted since it started, per
/// series), and the evaluator's own counters. Tags: prompt, version, variant, metric.
/// </summary>
internal sealed class BehaviourMetrics
{
    private readonly Histogram<double> _score;
    private readonly Counter<long> _samples;
    private readonly Counter<long> _judgeCalls;
    private readonly ConcurrentDictionary<(string Prompt, string Environment, int Version, string Variant, string Metric), PassCounts> _passes = new();

    /// <summary>
    /// Pass-ratio series kept: <c>Gateway:Telemetry:MaxSeriesPerMetric</c> (OpenTelemetry's cardinality limit per
    /// instrument, 2,000 by default). Every version ever scored adds series; past this many, the one counted least
    /// recently is dropped (a retired version's, in practice), so a long-running evaluator's memory stays bounded.
    /// </summary>
    private readonly int _maxPassSeries;

    private long _touches;

    public BehaviourMetrics(IMeterFactory meters, IConfiguration? configuration = null)
    {
        _maxPassSeries = configuration is null ? TelemetryExtensions.DefaultMaxSeriesPerMetric : TelemetryExtensions.MaxSeriesPerMetric(configuration);
        var meter = meters.Create(GatewayTelemetry.Name);
        _score = meter.CreateHistogram<double>(
            "gateway.eval.score", description: "Online evaluation readings in [0, 1]: an assertion's score, or a rate metric's 0/1.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99] });
        meter.CreateObservableGauge("gateway.eval.pass_ratio", ObservePassRatios, description: "Passes / (passes + fails) per series, counted by this process since it started.");
        _samples = meter.CreateCounter<long>("gateway.eval.samples", description: "Samples taken from the queue by this process's evaluator, by outcome (scored, duplicate, skipped, forced, missing, failed).");
        _judgeCalls = meter.CreateCounter<long>("gateway.eval.judge_calls", description: "Online judge decisions, by outcome (called, not_drawn, over_budget, no_key).");
    }

    public void Record(ScoredSample sample)
    {
        foreach (var observation in sample.Observations)
        {
            if (observation.Value is not { } value || (observation.Kind != MetricKind.Rate && !observation.Metric.EndsWith(OnlineEvalPlan.ScoreSuffix, StringComparison.Ordinal)))
            {
                continue;
            }

            // Per environment: staging's and production's readings of one version are not one series.
            var tags = new TagList
            {
                { "prompt", sample.Prompt },
                { "environment", sample.Environment },
                { "version", sample.Version },
                { "variant", sample.Variant },
                { "metric", observation.Metric },
            };
            _score.Record(value, tags);
            if (observation.Pass is { } pass)
            {
                var key = (sample.Prompt, sample.Environment, sample.Version, sample.Variant, observation.Metric);
                if (!_passes.TryGetValue(key, out var counts))
                {
                    // Read again after each drop: two evaluator rounds dropping the same series at once remove one.
                    while (_passes.Count >= _maxPassSeries)
                    {
                        DropLeastRecent();
                    }

                    counts = _passes.GetOrAdd(key, static (_, touch) => new PassCounts(touch), Interlocked.Increment(ref _touches));
                }

                counts.Add(pass, Interlocked.Increment(ref _touches));
            }
        }
    }

    public void Samples(string outcome, long count = 1)
    {
        if (count > 0)
        {
            _samples.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void Judge(string outcome) => _judgeCalls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Test seam: the pass-ratio series kept.</summary>
    internal int PassSeries => _passes.Count;

    // Only when a new series arrives at the cap: one scan, rare (a version's first readings).
    private void DropLeastRecent()
    {
        // A walk, not MinBy: another round may empty the map meanwhile, and MinBy throws on an empty sequence.
        (string, string, int, string, string)? oldest = null;
        var oldestTouch = long.MaxValue;
        foreach (var (key, counts) in _passes)
        {
            if (counts.LastTouch < oldestTouch)
            {
                (oldest, oldestTouch) = (key, counts.LastTouch);
            }
        }

        if (oldest is { } drop)
        {
            _passes.TryRemove(drop, out _);
        }
    }

    private IEnumerable<Measurement<double>> ObservePassRatios()
    {
        foreach (var ((prompt, environment, version, variant, metric), counts) in _passes)
        {
            if (counts.Ratio is { } ratio)
            {
                yield return new Measurement<double>(ratio, new TagList
                {
                    { "prompt", prompt },
                    { "environment", environment },
                    { "version", version },
                    { "variant", variant },
                    { "metric", metric },
                });
            }
        }
    }

    private sealed class PassCounts(long created)
    {
        private long _passes;
        private long _total;

        public double? Ratio
        {
            get
            {
                // Passes read first and counted last (Add): a scrape between Add's two counts never reads above 1.
                var passes = Interlocked.Read(ref _passes);
                var total = Interlocked.Read(ref _total);
                return total == 0 ? null : (double)passes / total;
            }
        }

        // A new series is as recent as its creation: a drop racing its first count does not take it first.
        private long _lastTouch = created;

        /// <summary>When this series was last counted, in the order of every series' counts.</summary>
        public long LastTouch => Interlocked.Read(ref _lastTouch);

        public void Add(bool pass, long touch)
        {
            Interlocked.Exchange(ref _lastTouch, touch);
            Interlocked.Increment(ref _total);
            if (pass)
            {
                Interlocked.Increment(ref _passes);
            }
        }
    }
}
