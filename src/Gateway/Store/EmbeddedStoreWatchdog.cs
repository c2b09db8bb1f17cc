using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// Kills the embedded store's process when it has not answered a PING for
/// <see cref="EmbeddedStoreOptions.HangTimeoutSeconds"/>. A dead store stops the gateway for its supervisor to restart
/// it; a hung one would otherwise leave it up for good, every store call timing out, keys served from the cache and
/// every release, sample and counter write lost. The bound is far above the store's worst measured pause (about a
/// second, in RESULTS.md), and at least three probes in a row must go unanswered, so a busy store is not taken for a
/// hung one; a probe that this process itself ran late (frozen, starved) does not count.
/// </summary>
internal sealed class EmbeddedStoreWatchdog(
    GatewayStore store,
    IOptions<StoreOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<EmbeddedStoreWatchdog> logger) : BackgroundService
{
    /// <summary>How often the store is asked; a PING that takes longer counts as unanswered.</summary>
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>A probe (its wait and its PING) that took this long shows this process, not the store, was held up.</summary>
    private static readonly TimeSpan LateProbe = 3 * ProbeInterval;

    /// <summary>Probes in a row that must go unanswered besides the timeout: one slow PING is never a hang.</summary>
    private const int MinUnanswered = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hangTimeout = TimeSpan.FromSeconds(options.Value.Embedded.HangTimeoutSeconds);
        if (!options.Value.UsesEmbeddedStore || !options.Value.Embedded.OwnProcess || hangTimeout <= TimeSpan.Zero)
        {
            return;
        }

        // The store is started by a hosted service that may come after this one.
        if (!await StartedAsync(stoppingToken) || store.EmbeddedProcessId is not { } processId)
        {
            return;
        }

        var lastAnswer = time.GetTimestamp();
        var unanswered = 0;
        while (!stoppingToken.IsCancellationRequested && !store.EmbeddedProcessExited)
        {
            var asked = time.GetTimestamp();
            try
            {
                await Task.Delay(ProbeInterval, time, stoppingToken);
                await store.Database.PingAsync().WaitAsync(ProbeInterval, time, stoppingToken);
                lastAnswer = time.GetTimestamp();
                unanswered = 0;
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidOperationException)
            {
                // Unanswered: the time since the last answer decides, if this probe itself ran on time.
            }

            var took = time.GetElapsedTime(asked);
            if (took > LateProbe)
            {
                // This process was not running its timers on time (frozen, its thread pool starved): the time it lost is
                // its own silence as much as the store's, so it is left out (not the whole window: a probe late now and
                // then must not keep a truly hung store alive), and the probe does not count.
                lastAnswer += (long)((took - 2 * ProbeInterval).TotalSeconds * time.TimestampFrequency);
                continue;
            }

            unanswered++;
            var silent = time.GetElapsedTime(lastAnswer);
            if (silent >= hangTimeout && unanswered >= MinUnanswered && !store.EmbeddedProcessExited)
            {
                StoreLog.ChildHung(logger, processId, silent.TotalSeconds);
                store.KillHungEmbeddedStore();
                return;
            }
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult(true));
        using var onStopping = stoppingToken.Register(() => started.TrySetResult(false));
        return await started.Task;
    }
}
