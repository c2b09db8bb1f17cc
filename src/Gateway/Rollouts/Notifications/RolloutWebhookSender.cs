namespace LlmGateway.Rollouts.Notifications;

/// <summary>Drains each environment's queue in order, one notification at a time per environment; environments do not wait on each other.</summary>
internal sealed class RolloutWebhookSender(RolloutWebhookTargets targets, RolloutWebhookDeliverer deliverer, ILogger<RolloutWebhookSender> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (targets.All.Count == 0)
        {
            return Task.CompletedTask;
        }

        RolloutNotificationsLog.Configured(logger, targets.Summary);
        return Task.WhenAll(targets.All.Select(t => DrainAsync(t, stoppingToken)));
    }

    private async Task DrainAsync(RolloutWebhookTarget target, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in target.Queue.Reader.ReadAllAsync(stoppingToken))
            {
                await deliverer.DeliverAsync(target, message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
