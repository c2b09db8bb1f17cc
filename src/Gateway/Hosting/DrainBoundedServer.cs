using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LlmGateway.Hosting;

/// <summary>
/// The server, whose stop (its drain) is bounded by <see cref="ShutdownOptions.DrainTimeout"/> rather than by the host's
/// whole shutdown timeout, so the services that stop after it still have <see cref="ShutdownOptions.FlushTimeout"/>.
/// A drain cut at its bound aborts the requests still running, and the server waits only about a second for them:
/// those still unwinding then (filing their usage, their sample) are waited for a little longer
/// (<see cref="UnwindWait"/>), so the writers and the store, which stop next, do not stop under them. Only the network's
/// requests are counted: the in-process calls' server wraps this one, and their callers drain them.
/// </summary>
internal sealed class DrainBoundedServer(IServer inner, IOptions<ShutdownOptions> options, TimeProvider time, ILogger<DrainBoundedServer> logger) : IServer
{
    private readonly InFlightRequests _inFlight = new();

    public IFeatureCollection Features => inner.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => inner.StartAsync(new CountedApplication<TContext>(application, _inFlight), cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.DrainTimeout;
        using var bound = new CancellationTokenSource(timeout, time);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        await inner.StopAsync(drain.Token);
        if (bound.IsCancellationRequested)
        {
            ShutdownLog.DrainCut(logger, timeout.TotalSeconds);
        }

        if (_inFlight.Count > 0)
        {
            // Aborted, they unwind in moments (their upstream calls are cancelled with them); a part of the flush's budget,
            // so the writers keep the rest.
            var wait = UnwindWait(options.Value.FlushTimeout);
            try
            {
                await _inFlight.WhenNoneAsync().WaitAsync(wait, time, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                ShutdownLog.RequestsStillRunning(logger, _inFlight.Count, wait.TotalSeconds);
            }
        }
    }

    /// <summary>A quarter of the flush's budget, at most 5 s.</summary>
    internal static TimeSpan UnwindWait(TimeSpan flushTimeout) => TimeSpan.FromTicks(Math.Min(flushTimeout.Ticks / 4, TimeSpan.FromSeconds(5).Ticks));

    public void Dispose() => inner.Dispose();
}
