using LlmGateway.Store;
using Microsoft.Extensions.Options;

namespace LlmGateway.Behaviour;

/// <summary>
/// Runs the change detector every <see cref="OnlineEvalOptions.DetectionInterval"/> in whichever instance holds
/// the detector's lease (a lease of two intervals, renewed each look), so a fleet looks once per interval.
/// </summary>
internal sealed class BehaviourChangeService(
    BehaviourChangeDetector detector,
    Store.GatewayStore store,
    IOptions<OnlineEvalOptions> options,
    TimeProvider time,
    ILogger<BehaviourChangeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DetectChanges)
        {
            return;
        }

        var interval = options.Value.DetectionInterval;
        var lease = new StoreLease(store.Database, store.Keys.BehaviourDetectorLease, Guid.NewGuid().ToString("n"));
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (await lease.TryHoldAsync(interval * 2))
                    {
                        await detector.DetectAsync(stoppingToken, () => lease.TryHoldAsync(interval * 2));
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    BehaviourLog.DetectionFailed(logger, ex.GetType().Name, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // A stopping instance gives the lease up: the next looks at once instead of waiting out two intervals.
            try
            {
                await lease.ReleaseAsync();
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
            {
                // It lapses by itself.
            }
        }
    }
}
