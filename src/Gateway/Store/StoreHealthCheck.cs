using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Store;

/// <summary>
/// Ready when a PING round-trips to the store; degraded when it does not but releases are in memory; unhealthy when the
/// embedded store's process has exited (that never heals by itself).
/// </summary>
internal sealed class StoreHealthCheck(GatewayStore store, Releases.ReleaseSnapshotProvider snapshots) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var kind = store.EmbeddedProcessId is { } pid ? $"embedded Garnet (process {pid})" : store.IsEmbedded ? "embedded Garnet" : "Redis";
        if (store.EmbeddedProcessExited)
        {
            // Unlike a Redis outage this does not heal: the gateway is stopping (exit code 1) for its supervisor to
            // start it again; until it has, it is out of rotation.
            return HealthCheckResult.Unhealthy(store.EmbeddedProcessHung
                ? $"The {kind} process stopped answering and was killed; the gateway is stopping to be restarted."
                : $"The {kind} process exited; the gateway is stopping to be restarted.");
        }

        try
        {
            var latency = await store.Database.PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{kind} answered PING in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            // With releases already in memory the gateway keeps serving, so it stays in rotation.
            var message = $"{kind} is unreachable: {ex.GetType().Name}.";
            return snapshots.Current.IsLoaded
                ? HealthCheckResult.Degraded(message + " Serving the last known good releases.")
                : HealthCheckResult.Unhealthy(message);
        }
    }
}
