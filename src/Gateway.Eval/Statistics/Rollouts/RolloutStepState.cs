namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>Where a rollout is when the controller looks.</summary>
/// <param name="StepIndex">The current step (0-based) of the plan.</param>
/// <param name="StepCount">How many steps the plan has (the error rate is split across them).</param>
/// <param name="Elapsed">Time since the current step began; the readings cover this window.</param>
public sealed record RolloutStepState(int StepIndex, int StepCount, TimeSpan Elapsed)
{
    /// <summary>Whether the current step is the plan's last (passing it promotes).</summary>
    public bool IsLastStep => StepIndex == StepCount - 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the state is inconsistent.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(StepCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(StepIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(StepIndex, StepCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(Elapsed, TimeSpan.Zero);
    }
}
