namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>How a rollout metric's practical threshold δ is measured.</summary>
public enum RolloutThresholdKind
{
    /// <summary>In the metric's units: canary − stable (a rate's δ = 0.02 is two percentage points).</summary>
    Absolute,

    /// <summary>
    /// As a fraction of the stable mean: (canary − stable) / stable (δ = 0.2 is 20%). Analysed on the log-ratio scale,
    /// ln(canary / stable), against ln(1 + δ) (lower is better) or ln(1 − δ) (higher is better).
    /// </summary>
    Relative,
}
