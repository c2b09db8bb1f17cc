using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LlmGateway.Hosting;

/// <summary>
/// The server, whose stop (its drain) is bounded by <see cref="ShutdownOptions.DrainTimeout"/> rather than by the host's
/// whole shutdown timeout, so the services that stop after it still have <see cref="ShutdownOptions.FlushTimeout"/>.
/// </summary>
internal sealed class DrainBoundedServer(IServer inner, IOptions<ShutdownOptions> options, TimeProvider time, ILogger<DrainBoundedServer> logger) : IServer
{
    public IFeatureCollection Features => inner.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => inner.StartAsync(application, cancellationToken);

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
    }

    public void Dispose() => inner.Dispose();
}
