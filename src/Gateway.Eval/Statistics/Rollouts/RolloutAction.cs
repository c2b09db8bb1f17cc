namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>What the controller does after a look.</summary>
public enum RolloutAction
{
    /// <summary>Stay at the current step and look again.</summary>
    Continue,

    /// <summary>Move to the next step of the plan.</summary>
    Advance,

    /// <summary>The last step passed: send all traffic to the canary.</summary>
    Promote,

    /// <summary>Send all traffic back to stable: an abort-capable metric is established to be worse than its threshold.</summary>
    Abort,

    /// <summary>Hold the current weight and wait for a human.</summary>
    Pause,
}
