using Microsoft.Extensions.Options;

namespace LlmGateway.Rollouts;

/// <summary>
/// Runs in every instance: every <see cref="RolloutOptions.Interval"/> it takes or renews the lease of each active
/// rollout and judges the ones it holds, so exactly one leader acts per prompt and environment; if it dies, another
/// instance takes over once the lease lapses, with a larger fencing token. After each round it withdraws a canary a
/// failed start left with no rollout judging it (<see cref="OrphanedCanarySweep"/>).
/// </summary>
internal sealed class RolloutControllerService(
    RolloutController controller,
    OrphanedCanarySweep orphans,
    RolloutStore rollouts,
    Store.GatewayStore store,
    IOptions<RolloutOptions> options,
    TimeProvider time,
    ILogger<RolloutControllerService> logger) : BackgroundService
{
    private readonly RolloutLease _lease = new(store, Guid.NewGuid().ToString("n"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One look at every active rollout this instance can lead.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<(string Prompt, string Environment)> active;
        try
        {
            active = await rollouts.ListActiveAsync();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            RolloutLog.RoundFailed(logger, ex.GetType().Name, ex);
            return;
        }

        foreach (var (prompt, environment) in active)
        {
            try
            {
                var token = await _lease.TryHoldAsync(prompt, environment, options.Value.LeaseTtl);
                if (token > 0)
                {
                    await controller.EvaluateAsync(prompt, environment, token, cancellationToken);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // One rollout's failure costs its look, never the others' or the host.
                RolloutLog.RoundFailed(logger, ex.GetType().Name, ex);
            }
        }

        // A canary a failed start left with no rollout judging it (the store failed its rollout write and its withdrawal).
        await orphans.RunAsync(cancellationToken);
    }
}
