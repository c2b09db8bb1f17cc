using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>Told of every rollout decision (advance, promote, abort, pause) after it is recorded. Must not throw.</summary>
internal interface IRolloutNotifier
{
    Task NotifyAsync(RolloutView rollout, string decision);
}
