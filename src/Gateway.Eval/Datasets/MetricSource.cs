namespace LlmGateway.Eval.Datasets;

/// <summary>Where a metric's per-run value comes from.</summary>
internal enum MetricSource
{
    /// <summary>The assertions that feed the metric (by their <c>metric</c> field or by type).</summary>
    Assertions,

    /// <summary>The gateway's <c>X-Gateway-Cost-USD</c>; runs with an unknown cost are left out of the metric.</summary>
    Cost,

    /// <summary>End-to-end latency of the call in milliseconds.</summary>
    Latency,

    /// <summary>The gateway's <c>X-Gateway-Output-Tokens</c>.</summary>
    OutputTokens,

    /// <summary>1 when the call failed after retries, else 0: the error rate, which every run gates (see <see cref="EvalConfig.ErrorRate"/>).</summary>
    Errors,
}
