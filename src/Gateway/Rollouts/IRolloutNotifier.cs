using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>
/// Told of every rollout decision after it is recorded: the controller's (advance, promote, abort, pause) and an
/// operator's (start, pause, resume, abort, skip-step). Must not throw.
/// </summary>
internal interface IRolloutNotifier
{
    Task NotifyAsync(RolloutView rollout, string decision);
}
