namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>How a metric's per-sample values are distributed, which picks the likelihood the detector scans with.</summary>
public enum MetricScale
{
    /// <summary>Each sample is 0 or 1 (refused, errored, truncated): a Bernoulli likelihood.</summary>
    Rate,

    /// <summary>
    /// Each sample is a continuous, non-negative and possibly heavy-tailed value (output tokens, cost in USD, latency in
    /// ms, a judge score): a Gaussian likelihood with the pooled within-segment variance, with its own, higher threshold
    /// because the tails make the Gaussian statistic's maximum larger than it would be on normal data.
    /// </summary>
    Value,
}
