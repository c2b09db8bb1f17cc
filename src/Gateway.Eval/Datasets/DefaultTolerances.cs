using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// The practical tolerance of each kind of metric, used when a metric does not set <c>max_regression</c> and for a
/// metric a dataset names that the config does not list. Chosen so a first config gates something meaningful
/// without tuning: 5 points of a pass rate, +15% cost or output tokens, +20% latency (which is noisier), and one
/// point of error rate.
/// </summary>
internal static class DefaultTolerances
{
    public const double PassRate = 0.05;
    public const double Cost = 0.15;
    public const double OutputTokens = 0.15;
    public const double Latency = 0.20;

    public static double For(MetricSource source) => source switch
    {
        MetricSource.Cost => Cost,
        MetricSource.Latency => Latency,
        MetricSource.OutputTokens => OutputTokens,
        MetricSource.Errors => EvalConfig.DefaultErrorRateTolerance,
        _ => PassRate,
    };

    /// <summary>The gate of an assertion metric nobody configured: higher is better, <see cref="PassRate"/> absolute, gated.</summary>
    public static MetricGate ForUnlistedAssertionMetric() => MetricGate.HigherIsBetter(PassRate);
}
