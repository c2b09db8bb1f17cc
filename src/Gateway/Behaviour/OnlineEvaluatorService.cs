using Microsoft.Extensions.Options;

namespace LlmGateway.Behaviour;

/// <summary>
/// Runs the evaluator in this process: rounds back to back while they come back full (a backlog), a poll interval
/// apart otherwise. A partial batch means the queue is keeping up; claiming again at once would run a round (a claim,
/// reads, a count and acks in the store, and the thread-pool hand-offs between them) for every sample or two as they
/// trickle in, on the proxy's cores. Waiting lets the next round take a second's worth in one go.
/// </summary>
internal sealed class OnlineEvaluatorService(
    OnlineEvaluator evaluator,
    IOptions<OnlineEvalOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<OnlineEvaluatorService> logger,
    Hosting.InProcessApplication? gateway = null) : BackgroundService
{
    /// <summary>
    /// Stops the rounds, then waits (within the host's shutdown time) for judge calls they gave up on at stop but
    /// that still run in this gateway's pipeline, so the writers that stop after this service still see them end.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (gateway is not null)
        {
            await gateway.DrainAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // Wait until the host has started: an in-process judge calls the pipeline the server runs, there from then on.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.Value.RoundsInFlight).Select(_ => LoopAsync(stoppingToken)));
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await evaluator.RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            // Anything else costs one round, never the host: an evaluator must not take the proxy down.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                BehaviourLog.RoundFailed(logger, ex.GetType().Name, ex);
                claimed = 0;
            }

            if (claimed < options.Value.BatchSize)
            {
                try
                {
                    await Task.Delay(options.Value.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
