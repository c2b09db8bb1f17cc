using System.Collections.Frozen;
using LlmGateway.Releases;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Releases;

/// <summary>Readiness reads the snapshot stale only past what its own revalidation interval lets it be.</summary>
public sealed class ReleaseSnapshotHealthCheckTests
{
    [Theory]
    [InlineData(500, 4, HealthStatus.Healthy)]
    [InlineData(500, 6, HealthStatus.Degraded)]
    // A 10 s interval confirms the snapshot every 10 s: 8 s old is on time, not stale (it read Degraded for half of
    // every interval); two intervals missed are.
    [InlineData(10_000, 8, HealthStatus.Healthy)]
    [InlineData(10_000, 19, HealthStatus.Healthy)]
    [InlineData(10_000, 21, HealthStatus.Degraded)]
    public async Task A_snapshot_is_stale_past_the_longer_of_the_setting_and_two_revalidation_intervals(int intervalMs, int ageSeconds, HealthStatus expected)
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var snapshots = new ReleaseSnapshotProvider(clock);
        snapshots.Publish(new ReleaseSnapshot(FrozenDictionary<(string, string), ActiveRelease>.Empty, FrozenSet<string>.Empty, clock.GetUtcNow()));
        var check = new ReleaseSnapshotHealthCheck(snapshots, Options.Create(new ReleaseOptions { RevalidationIntervalMs = intervalMs, StaleAfterSeconds = 5 }));

        clock.Advance(TimeSpan.FromSeconds(ageSeconds));

        Assert.Equal(expected, (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
    }
}
