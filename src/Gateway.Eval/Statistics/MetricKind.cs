namespace LlmGateway.Eval.Statistics;

/// <summary>What a metric's per-run values are; decides how a delta is worded and whether McNemar applies.</summary>
internal enum MetricKind
{
    /// <summary>Pass/fail per run (0 or 1): accuracy, format validity, safety. Deltas read in percentage points.</summary>
    Rate,

    /// <summary>Any real number per run: cost in USD, latency in ms, a judge score in 0..1.</summary>
    Continuous,
}
