namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>A plan's <c>on_inconclusive</c>: what happens when a step reaches its maximum duration undecided.</summary>
public enum RolloutInconclusivePolicy
{
    /// <summary>Pause the rollout at the current weight for a human to decide (the default).</summary>
    Pause,

    /// <summary>Advance anyway (promote after the last step): absence of evidence of harm is taken as good enough.</summary>
    Continue,
}
