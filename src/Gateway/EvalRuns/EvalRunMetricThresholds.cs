using LlmGateway.Contracts.EvalRuns;

namespace LlmGateway.EvalRuns;

/// <summary>The thresholds check of an <see cref="EvalRunMetric"/>, shared by the admin API and the release gate.</summary>
internal static class EvalRunMetricThresholds
{
    /// <summary>
    /// A thresholds run's check: <see cref="EvalRunMetric.Candidate"/> meets the threshold held in
    /// <see cref="EvalRunMetric.Baseline"/> in the metric's <see cref="EvalRunMetric.Direction"/>; false when either
    /// is missing. The engine compares the point estimate with a 1e-9 margin for round-off; the same margin here.
    /// </summary>
    public static bool MeetsThreshold(this EvalRunMetric metric)
    {
        const double RoundOff = 1e-9;
        return metric.Candidate is { } value && metric.Baseline is { } threshold
            && (metric.Direction == "lower" ? value <= threshold + RoundOff : value >= threshold - RoundOff);
    }
}
