using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// The gateway's own counters that show what became of the shadow copies, read from its <c>/metrics</c>:
/// <c>gateway_shadow_calls_total</c> by outcome (answered, failed, over_budget, ended, timeout, dropped, not_running) and
/// the sampler's taken and dropped samples (a shadowed request is always sampled, and its copy is only made once its
/// sample was accepted), the samples its online evaluator took from the queue (<c>gateway_eval_samples_total</c>), and
/// the runtime's GC pause time and gen2 collections (a stall of the whole gateway shows there).
/// A window's figures are the difference of two readings.
/// </summary>
internal sealed record ShadowCounters(IReadOnlyDictionary<string, long> Calls, long SamplesTaken, long SamplesDropped, double GcPauseSeconds = 0, long Gen2Collections = 0, long SamplesEvaluated = 0)
{
    public const string EvalSamplesMetric = "gateway_eval_samples_total";
    public const string GcPauseMetric = "dotnet_gc_pause_time_seconds_total";
    public const string GcCollectionsMetric = "dotnet_gc_collections_total";

    public const string CallsMetric = "gateway_shadow_calls_total";
    public const string SamplesTakenMetric = "gateway_samples_taken_total";
    public const string SamplesDroppedMetric = "gateway_samples_dropped_total";
    public const string Answered = "answered";

    public static ShadowCounters Zero { get; } = new(new Dictionary<string, long>(StringComparer.Ordinal), 0, 0);

    public long AnsweredCalls => Calls.GetValueOrDefault(Answered);

    /// <summary>Every copy that ended some other way than answered (dropped at a full queue included).</summary>
    public long OtherCalls => Calls.Where(c => c.Key != Answered).Sum(c => c.Value);

    public static async Task<ShadowCounters> ReadAsync(GatewayProbe probe)
    {
        // One scrape for all six: each costs the gateway CPU, and the drain's readings fall inside a window's.
        var scrape = await probe.ScrapeAsync();
        var calls = GatewayProbe.ByLabel(scrape, CallsMetric, "outcome");
        var taken = GatewayProbe.Sum(scrape, SamplesTakenMetric);
        var dropped = GatewayProbe.Sum(scrape, SamplesDroppedMetric);
        var pause = GatewayProbe.Sum(scrape, GcPauseMetric);
        var collections = GatewayProbe.ByLabel(scrape, GcCollectionsMetric, "gc_heap_generation");
        var evaluated = GatewayProbe.Sum(scrape, EvalSamplesMetric);
        return new ShadowCounters(
            calls.ToDictionary(c => c.Key, c => (long)Math.Round(c.Value), StringComparer.Ordinal),
            (long)Math.Round(taken),
            (long)Math.Round(dropped),
            pause,
            (long)Math.Round(collections.GetValueOrDefault("gen2")),
            (long)Math.Round(evaluated));
    }

    public ShadowCounters Since(ShadowCounters before)
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var outcome in Calls.Keys.Union(before.Calls.Keys, StringComparer.Ordinal))
        {
            var delta = Calls.GetValueOrDefault(outcome) - before.Calls.GetValueOrDefault(outcome);
            if (delta != 0)
            {
                calls[outcome] = delta;
            }
        }

        return new ShadowCounters(calls, SamplesTaken - before.SamplesTaken, SamplesDropped - before.SamplesDropped, GcPauseSeconds - before.GcPauseSeconds, Gen2Collections - before.Gen2Collections, SamplesEvaluated - before.SamplesEvaluated);
    }

    /// <summary>The outcomes other than answered, e.g. <c>dropped 12</c>, or <c>0</c>.</summary>
    public string DescribeOther() =>
        OtherCalls == 0 ? "0" : string.Join(", ", Calls.Where(c => c.Key != Answered).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}"));

    public string DescribeCalls() =>
        Calls.Count == 0 ? "none" : string.Join(", ", Calls.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}"));
}
