using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LlmGateway.Releases;

/// <summary>
/// Reports the release snapshot: healthy while fresh; degraded (still serving, so still in the
/// load balancer) while the last known good snapshot is served during a store outage.
/// </summary>
internal sealed class ReleaseSnapshotHealthCheck(ReleaseSnapshotProvider snapshots, IOptions<ReleaseOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = snapshots.Current;
        if (!snapshot.IsLoaded)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Releases have never been loaded from the store."));
        }

        var age = snapshots.Age;
        // A snapshot is confirmed once per revalidation: with an interval near or past StaleAfterSeconds, a healthy
        // instance would read stale for part of every interval. Two intervals missed is stale whatever the setting.
        var staleAfter = TimeSpan.FromSeconds(Math.Max(options.Value.StaleAfterSeconds, 2 * options.Value.RevalidationIntervalMs / 1000.0));
        return Task.FromResult(snapshots.IsServingLastKnownGood || age > staleAfter
            ? HealthCheckResult.Degraded($"Serving the last known good snapshot ({snapshot.Count} releases) loaded at {snapshot.LoadedAt:o}; last confirmed {age.TotalSeconds:F0} s ago.")
            : HealthCheckResult.Healthy($"{snapshot.Count} releases, confirmed {age.TotalMilliseconds:F0} ms ago."));
    }
}
