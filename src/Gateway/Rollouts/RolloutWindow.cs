using LlmGateway.Eval.Statistics.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>
/// One look's readings of a step's window: each plan metric's moments (by metric), and the histograms of the series a
/// quantile metric is judged on (by series: <c>latency_ms</c> for <c>latency_ms.p95</c>).
/// </summary>
internal sealed record RolloutWindow<TMoments>(
    Dictionary<string, TMoments> Moments,
    Dictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)> Quantiles);
