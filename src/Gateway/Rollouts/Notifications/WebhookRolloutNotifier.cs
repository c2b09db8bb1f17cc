using System.Text.Json;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// Queues each decision for its environment's webhook, if it has one, and returns at once: delivery (with retries) is
/// <see cref="RolloutWebhookSender"/>'s, so a slow or dead webhook never holds up the controller. Never throws.
/// </summary>
internal sealed class WebhookRolloutNotifier(RolloutWebhookTargets targets, ILogger<WebhookRolloutNotifier> logger) : IRolloutNotifier
{
    public Task NotifyAsync(RolloutView rollout, string decision)
    {
        if (!targets.TryGet(rollout.Environment, out var target))
        {
            return Task.CompletedTask;
        }

#pragma warning disable CA1031 // A notification must never fail the decision it reports; it is logged.
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(RolloutWebhookPayloads.For(rollout, decision), RolloutNotificationsJsonContext.Default.RolloutWebhookPayload);
            target.Queue.Writer.TryWrite(new RolloutWebhookMessage(rollout.Prompt, decision, body));
        }
        catch (Exception exception)
        {
            RolloutNotificationsLog.NotQueued(logger, decision, rollout.Prompt, rollout.Environment, exception.GetType().Name, exception);
        }
#pragma warning restore CA1031

        return Task.CompletedTask;
    }
}
