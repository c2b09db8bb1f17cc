using LlmGateway.Behaviour;

namespace LlmGateway.Rollouts;

/// <summary>A validated analysis metric: the behaviour series it reads and how it is judged.</summary>
/// <param name="Metric">The plan's name for it (<c>latency_ms</c>, or <c>latency_ms.p95</c> for a quantile).</param>
/// <param name="Quantile">For a quantile metric, which quantile of <see cref="Series"/>; null compares means.</param>
internal sealed record RolloutMetricPlan(string Metric, MetricKind Kind, bool LowerIsBetter, double Threshold, bool Relative, bool CanAbort, double? Quantile = null)
{
    /// <summary>The behaviour series it reads: <see cref="Metric"/>, without a quantile's suffix.</summary>
    public string Series => Quantile is not null && QuantileMetricName.TryParse(Metric, out var series, out _) ? series : Metric;
}
