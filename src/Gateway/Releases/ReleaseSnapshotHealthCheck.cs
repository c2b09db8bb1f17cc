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
        return Task.FromResult(snapshots.IsServingLastKnownGood || age > TimeSpan.FromSeconds(options.Value.StaleAfterSeconds)
            ? HealthCheckResult.Degraded($"Serving the last known good snapshot ({snapshot.Count} releases) loaded at {snapshot.LoadedAt:o}; last confirmed {age.TotalSeconds:F0} s ago.")
            : HealthCheckResult.Healthy($"{snapshot.Count} releases, confirmed {age.TotalMilliseconds:F0} ms ago."));
    }
}
