using LlmGateway.Eval.Statistics.ChangePoints;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// The proposed default plan and metrics, calibrated by <see cref="RolloutSimulation"/> for a prompt receiving about 20
/// requests a second (docs/canary-analysis.md). With much less traffic the steps need longer minimum durations.
/// </summary>
public static class RolloutDefaults
{
    /// <summary>Share of requests that failed (0/1).</summary>
    public const string ErrorRate = "error_rate";

    /// <summary>Share of answers that are refusals (0/1).</summary>
    public const string RefusalRate = "refusal_rate";

    /// <summary>Cost of a request in USD.</summary>
    public const string CostUsd = "cost_usd";

    /// <summary>Output tokens of a request.</summary>
    public const string OutputTokens = "output_tokens";

    /// <summary>Latency of a request in milliseconds.</summary>
    public const string LatencyMs = "latency_ms";

    /// <summary>
    /// Error rate (abort beyond +2 percentage points), refusal rate (abort beyond +5 points), cost per request (abort
    /// beyond +20%), output tokens (pause beyond +30%) and latency (pause beyond +20%, on the mean: only Count, Sum and
    /// SumOfSquares are kept, so no percentile).
    /// </summary>
    public static IReadOnlyList<RolloutMetric> Metrics { get; } =
    [
        new(ErrorRate, MetricScale.Rate, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Absolute, 0.02, CanAbort: true),
        new(RefusalRate, MetricScale.Rate, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Absolute, 0.05, CanAbort: true),
        new(CostUsd, MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, 0.20, CanAbort: true),
        new(OutputTokens, MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, 0.30, CanAbort: false),
        new(LatencyMs, MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, 0.20, CanAbort: false),
    ];

    /// <summary>
    /// 5% → 25% → 50%, then promotion to 100%. No 1% step: at 20 requests a second a 1% canary gets 0.2 requests a
    /// second, and establishing an error rate within 2 points of stable's takes it over an hour.
    /// </summary>
    public static IReadOnlyList<RolloutPlanStep> Plan { get; } =
    [
        new(500, TimeSpan.FromMinutes(10), 600, TimeSpan.FromMinutes(60)),
        new(2500, TimeSpan.FromMinutes(5), 1500, TimeSpan.FromMinutes(20)),
        new(5000, TimeSpan.FromMinutes(5), 3000, TimeSpan.FromMinutes(20)),
    ];

    /// <summary>
    /// An optional shadow step to put before <see cref="Plan"/>: the candidate answers a mirrored copy of the traffic
    /// (its answers are discarded) and is judged on the paired readings.
    /// </summary>
    public static RolloutPlanStep ShadowStep { get; } = new(0, TimeSpan.FromMinutes(5), 2000, TimeSpan.FromMinutes(15));
}
