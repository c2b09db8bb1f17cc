using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>The notifier when no webhook is configured: decisions are already logged and in the history.</summary>
internal sealed class LoggingRolloutNotifier : IRolloutNotifier
{
    public Task NotifyAsync(RolloutView rollout, string decision) => Task.CompletedTask;
}
