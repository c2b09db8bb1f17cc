namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// The canaries <see cref="RolloutSimulation"/> rolls out. Stable: error rate 2%, refusal rate 5%, cost lognormal
/// (mean 0.002 USD, σ 0.8 on the log scale), output tokens lognormal (mean 150, σ 0.8, rounded, at least 1), latency
/// lognormal (mean 1300 ms, σ 0.5).
/// </summary>
public enum SimulatedCanary
{
    /// <summary>Identical to stable (A/A).</summary>
    Equivalent,

    /// <summary>Error rate 2% → 7% (threshold 2 points).</summary>
    ErrorRatePlus5Points,

    /// <summary>Refusal rate 5% → 15% (threshold 5 points).</summary>
    RefusalRatePlus10Points,

    /// <summary>Mean cost × 1.4 (threshold 20%).</summary>
    CostPlus40Percent,

    /// <summary>Mean latency × 1.5 (threshold 20%, pause-only): the rollout should pause naming latency.</summary>
    LatencyPlus50Percent,
}
