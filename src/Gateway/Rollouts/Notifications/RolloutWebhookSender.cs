namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// Sends each environment's notifications from its outbox in the store, oldest first, one at a time; environments do
/// not wait on each other. In a fleet, the instance holding an environment's sender lease sends (so the order holds);
/// the others look again every <see cref="RolloutWebhookTarget.PollInterval"/> and take over when it stops or dies.
/// A notification leaves the outbox only once delivered or failed every attempt: one cut by a stop is sent again by
/// the next holder (at least once; receivers can tell a repeat by its id).
/// </summary>
internal sealed class RolloutWebhookSender(
    RolloutWebhookTargets targets, RolloutWebhookOutbox outbox, RolloutWebhookDeliverer deliverer, RolloutWebhookMetrics metrics, TimeProvider time,
    ILogger<RolloutWebhookSender> logger) : BackgroundService
{
    /// <summary>How long a sender's lease outlives its last renewal: the longest a dead instance holds up the others.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(30);

    private readonly string _holder = Guid.NewGuid().ToString("n");

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
        var lease = outbox.SenderLease(target.Environment, _holder);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!await SendNextAsync(target, lease, stoppingToken))
                {
                    await target.WaitForWorkAsync(RolloutWebhookTarget.PollInterval, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await ReleaseAsync(target, lease);
        }
    }

    /// <summary>True when a notification was handled (look again at once); false when there was none, another instance sends, or the store did not answer.</summary>
    private async Task<bool> SendNextAsync(RolloutWebhookTarget target, Store.StoreLease lease, CancellationToken stoppingToken)
    {
        byte[]? head;
        try
        {
            if (!await lease.TryHoldAsync(LeaseTtl) || (head = await outbox.PeekAsync(target.Environment)) is null)
            {
                return false;
            }

            if (!RolloutWebhookMessage.TryRead(head, out var message))
            {
                RolloutNotificationsLog.Unreadable(logger, target.Environment, head.Length);
                metrics.Record(target.Environment, RolloutWebhookMetrics.Dropped);
                await outbox.RemoveAsync(target.Environment, head);
                return true;
            }

            using (var renewing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var renewal = RenewAsync(lease, renewing.Token);
                try
                {
                    await deliverer.DeliverAsync(target, message, stoppingToken);
                }
                finally
                {
                    await renewing.CancelAsync();
                    await renewal;
                }
            }

            await outbox.RemoveAsync(target.Environment, head);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The store is away: the notification stays queued and is sent when it is back.
            RolloutNotificationsLog.StoreFailed(logger, target.Environment, exception.GetType().Name, exception);
            return false;
        }
    }

    // A delivery can outlast the lease (every attempt and backoff): renewed at a third of its time-to-live while it runs.
    private async Task RenewAsync(Store.StoreLease lease, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
#pragma warning disable CA1031 // A renewal the store missed is tried again a third later; the delivery goes on.
            try
            {
                await Task.Delay(LeaseTtl / 3, time, cancellationToken);
                await lease.TryHoldAsync(LeaseTtl);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031
        }
    }

    // The next instance takes over at once instead of after the lease's time-to-live.
    private async Task ReleaseAsync(RolloutWebhookTarget target, Store.StoreLease lease)
    {
#pragma warning disable CA1031 // A stopping instance whose store is away leaves the lease to expire.
        try
        {
            await lease.ReleaseAsync();
        }
        catch (Exception exception)
        {
            RolloutNotificationsLog.StoreFailed(logger, target.Environment, exception.GetType().Name, exception);
        }
#pragma warning restore CA1031
    }
}
