using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Store;

/// <summary>
/// Ready when a PING round-trips to the store; degraded when it does not but releases are in memory; unhealthy when the
/// embedded store's process has exited (that never heals by itself). Its description is shown to anonymous callers of
/// <c>/readyz</c>: it names no address or process id (those go to the log).
/// </summary>
internal sealed class StoreHealthCheck(GatewayStore store, IServiceProvider services, ILogger<StoreHealthCheck> logger) : IHealthCheck
{
    // A gateway's releases; the separate evaluator has none (and nothing to serve without the store).
    private readonly Releases.ReleaseSnapshotProvider? _snapshots = services.GetService<Releases.ReleaseSnapshotProvider>();

    // The silent primaries last logged (the check is a singleton, registered with its health check).
    private string? _lastSilent;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var kind = store.IsEmbedded ? "embedded Garnet" : "Redis";
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
            if (store.IsCluster)
            {
                return await CheckPrimariesAsync(cancellationToken);
            }

            var latency = await store.Database.PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{kind} answered PING in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            // With releases already in memory the gateway keeps serving, so it stays in rotation.
            var message = $"{kind} is unreachable: {ex.GetType().Name}.";
            return _snapshots?.Current.IsLoaded == true
                ? HealthCheckResult.Degraded(message + " Serving the last known good releases.")
                : HealthCheckResult.Unhealthy(message);
        }
    }

    /// <summary>
    /// A cluster's PING is each primary's: one that does not answer leaves its slots (their prompts, keys, samples)
    /// unreachable while the others answer, which a PING to one node would not see.
    /// </summary>
    private async Task<HealthCheckResult> CheckPrimariesAsync(CancellationToken cancellationToken)
    {
        var primaries = Primaries();
        if (primaries.Count == 0)
        {
            var none = "Redis Cluster: no primary serves slots in the cluster's view.";
            return _snapshots?.Current.IsLoaded == true ? HealthCheckResult.Degraded(none + " Serving the last known good releases.") : HealthCheckResult.Unhealthy(none);
        }

        var pings = await Task.WhenAll(primaries.Select(async endpoint =>
        {
            try
            {
                return (EndPoint: endpoint, Latency: (TimeSpan?)await store.Connection.GetServer(endpoint).PingAsync().WaitAsync(cancellationToken));
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ArgumentException)
            {
                return (EndPoint: endpoint, Latency: (TimeSpan?)null);
            }
        }));
        var silent = pings.Where(p => p.Latency is null).Select(p => p.EndPoint.ToString()).ToArray();
        if (silent.Length == 0)
        {
            Volatile.Write(ref _lastSilent, null);
            return HealthCheckResult.Healthy(
                $"Redis Cluster: all {pings.Length} primaries answered PING, the slowest in {pings.Max(p => p.Latency!.Value).TotalMilliseconds:F1} ms.");
        }

        // Once per change of the silent set, not per check: anyone may call /readyz in a loop.
        var named = string.Join(", ", silent.Order(StringComparer.Ordinal));
        if (!string.Equals(Interlocked.Exchange(ref _lastSilent, named), named, StringComparison.Ordinal))
        {
            StoreLog.PrimariesSilent(logger, silent.Length, pings.Length, named);
        }

        var message = $"Redis Cluster: {silent.Length} of {pings.Length} primaries did not answer PING (named in the log); the keys in their slots are unreachable.";
        return _snapshots?.Current.IsLoaded == true ? HealthCheckResult.Degraded(message + " Serving the last known good releases.") : HealthCheckResult.Unhealthy(message);
    }

    /// <summary>
    /// The primaries that serve slots, by the cluster's own view as the client last read it (it reads it again when a
    /// node redirects a command, and at its configuration checks; CLUSTER NODES itself needs the client's admin mode):
    /// a node removed from the cluster, or an old primary now a replica, stays among the client's known servers.
    /// Every known primary when no node has given that view.
    /// </summary>
    private IReadOnlyList<System.Net.EndPoint> Primaries()
    {
        var servers = store.Connection.GetServers();
        var view = servers.Where(s => s.IsConnected).Select(s => s.ClusterConfiguration).FirstOrDefault(c => c is not null);
        return view is null
            ? [.. servers.Where(s => !s.IsReplica).Select(s => s.EndPoint)]
            : [.. view.Nodes.Where(n => !n.IsReplica && n.Slots.Count > 0 && n.EndPoint is not null).Select(n => n.EndPoint!)];
    }
}
