using Microsoft.Extensions.Options;

namespace LlmGateway.Behaviour;

/// <summary>Runs the evaluator in this process: rounds back to back while there is work, a poll interval apart when idle.</summary>
internal sealed class OnlineEvaluatorService(
    OnlineEvaluator evaluator,
    IOptions<OnlineEvalOptions> options,
    TimeProvider time,
    ILogger<OnlineEvaluatorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // Let the host finish starting (Kestrel's addresses are what the judge calls).
        await Task.Yield();
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

            if (claimed == 0)
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
