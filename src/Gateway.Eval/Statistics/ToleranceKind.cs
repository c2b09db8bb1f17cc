namespace LlmGateway.Eval.Statistics;

/// <summary>How a gate's tolerance is measured against the delta.</summary>
internal enum ToleranceKind
{
    /// <summary>In the metric's own units: 0.02 on a rate is 2 percentage points. For rates and bounded scores.</summary>
    Absolute,

    /// <summary>
    /// A fraction of the baseline mean: 0.10 tolerates +10% cost. For cost and latency, whose scale differs per
    /// prompt, so a fixed number of dollars or milliseconds would be too strict for one and meaningless for another.
    /// </summary>
    Relative,
}
