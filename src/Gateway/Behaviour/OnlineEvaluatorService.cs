using Microsoft.Extensions.Options;
using StackExchange.Redis;

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
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException or HttpRequestException or System.Text.Json.JsonException)
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
