using LlmGateway.Store;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// Sends each environment's notifications from its outbox in the store, oldest first, one at a time; environments do
/// not wait on each other. In a fleet, the instance holding an environment's sender lease sends (so the order holds);
/// the others look again every <see cref="RolloutWebhookTarget.PollInterval"/> and take over when it stops or dies.
/// A notification leaves the outbox only once delivered or failed every attempt: one cut by a stop, or by the lease
/// lost mid-delivery, is sent again by the next holder (at least once; receivers can tell a repeat by its id).
/// </summary>
internal sealed class RolloutWebhookSender(
    RolloutWebhookTargets targets, RolloutWebhookOutbox outbox, RolloutWebhookDeliverer deliverer, RolloutWebhookMetrics metrics, TimeProvider time,
    ILogger<RolloutWebhookSender> logger) : BackgroundService
{
    /// <summary>How long a sender's lease outlives its last renewal: the longest a dead instance holds up the others.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(30);

    // A store that is away fails every look, every second, in every instance: said once a minute per environment.
    private static readonly TimeSpan StoreFailureLogInterval = TimeSpan.FromMinutes(1);

    // Stop sending this long before the lease would run out unrenewed, so no post outlives it.
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(2);

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
        DateTimeOffset? failureLogged = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                bool sent;
                try
                {
                    sent = await SendNextAsync(target, lease, stoppingToken);
                    failureLogged = null;
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The store is away: the notification stays queued and is sent when it is back.
                    if (failureLogged is not { } logged || time.GetUtcNow() - logged >= StoreFailureLogInterval)
                    {
                        RolloutNotificationsLog.StoreFailed(logger, target.Environment, exception.GetType().Name, exception);
                        failureLogged = time.GetUtcNow();
                    }

                    sent = false;
                }

                if (!sent)
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

    /// <summary>True when a notification was handled (look again at once); false when there was none, another instance sends, or the lease was lost mid-delivery.</summary>
    private async Task<bool> SendNextAsync(RolloutWebhookTarget target, StoreLease lease, CancellationToken stoppingToken)
    {
        // Taken before asking: the store's lease runs from when it answered, never before this. A timestamp, not the
        // wall clock, which a clock step could move under the deadline.
        var asked = time.GetTimestamp();
        if (!await lease.TryHoldAsync(LeaseTtl) || await outbox.PeekAsync(target.Environment) is not { } head)
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

        // Cancelled when the lease is lost mid-delivery, or is about to run out unrenewed: another instance sends from
        // then on, and this one stops first, so that nothing it still sends can arrive after what the new holder sends.
        using var expiry = new CancellationTokenSource(Remaining(asked), time);
        using var delivery = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, expiry.Token);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = RenewAsync(lease, delivery, expiry, renewing.Token);
        try
        {
            await deliverer.DeliverAsync(target, message, delivery.Token);
        }
        catch (OperationCanceledException) when (delivery.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            RolloutNotificationsLog.LeaseLost(logger, target.Environment, message.Decision, message.Prompt);
            return false;
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
        }

        await outbox.RemoveAsync(target.Environment, head);
        return true;
    }

    /// <summary>
    /// Renews the lease at a third of its time-to-live while a delivery runs (it can outlast the lease: every attempt
    /// and backoff), every second after a renewal the store missed. Each renewal pushes <paramref name="expiry"/> back
    /// to just before the lease would run out; another instance holding the lease cancels <paramref name="delivery"/>.
    /// </summary>
    private async Task RenewAsync(StoreLease lease, CancellationTokenSource delivery, CancellationTokenSource expiry, CancellationToken cancellationToken)
    {
        var wait = LeaseTtl / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
#pragma warning disable CA1031 // A renewal the store missed is tried again a second later; the delivery goes on until its expiry.
            try
            {
                await Task.Delay(wait, time, cancellationToken);
                var asked = time.GetTimestamp();
                if (!await lease.TryHoldAsync(LeaseTtl))
                {
                    await delivery.CancelAsync();
                    return;
                }

                expiry.CancelAfter(Remaining(asked));
                wait = LeaseTtl / 3;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception)
            {
                wait = TimeSpan.FromSeconds(1);
            }
#pragma warning restore CA1031
        }
    }

    // Until a couple of seconds before a lease renewed at `asked` runs out (at least a moment: a renewal that took
    // nearly its whole time-to-live leaves no delivery time).
    private TimeSpan Remaining(long asked)
    {
        var left = LeaseTtl - ExpiryMargin - time.GetElapsedTime(asked);
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    // The next instance takes over at once instead of after the lease's time-to-live.
    private async Task ReleaseAsync(RolloutWebhookTarget target, StoreLease lease)
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
