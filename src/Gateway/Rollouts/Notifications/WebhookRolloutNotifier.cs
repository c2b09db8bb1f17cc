using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// Queues each decision in its environment's outbox in the store, if the environment has a webhook, and returns:
/// delivery (with retries) is <see cref="RolloutWebhookSender"/>'s, in whichever instance holds the environment's
/// sender lease, so a slow or dead webhook never holds up the controller, and an instance that dies loses nothing it
/// queued. Never throws.
/// </summary>
internal sealed class WebhookRolloutNotifier(
    RolloutWebhookTargets targets, RolloutWebhookOutbox outbox, RolloutWebhookMetrics metrics, ILogger<WebhookRolloutNotifier> logger) : IRolloutNotifier
{
    public async Task NotifyAsync(RolloutView rollout, string decision)
    {
        if (!targets.TryGet(rollout.Environment, out var target))
        {
            return;
        }

#pragma warning disable CA1031 // A notification must never fail the decision it reports; it is logged and counted.
        try
        {
            var message = RolloutWebhookMessage.For(RolloutWebhookPayloads.For(rollout, decision));
            foreach (var dropped in await outbox.EnqueueAsync(target.Environment, message.Body))
            {
                metrics.Record(target.Environment, RolloutWebhookMetrics.Dropped);
                var known = RolloutWebhookMessage.TryRead(dropped, out var old);
                RolloutNotificationsLog.Dropped(logger, target.Environment, known ? old!.Decision : "?", known ? old!.Prompt : "?");
            }

            target.Wake();
        }
        catch (Exception exception)
        {
            // Not known to be queued (a time-out may still have queued it): counted apart from the drops a full outbox makes.
            metrics.Record(target.Environment, RolloutWebhookMetrics.NotQueued);
            RolloutNotificationsLog.NotQueued(logger, decision, rollout.Prompt, target.Environment, exception.GetType().Name, exception);
        }
#pragma warning restore CA1031
    }
}
