using System.Diagnostics.Metrics;
using LlmGateway.Releases;

namespace LlmGateway.Telemetry;

/// <summary>
/// The gateway's own instruments. Created through <see cref="IMeterFactory"/> so each host (and
/// each test gateway in one process) reports its own values.
/// </summary>
internal sealed class GatewayMetrics
{
    public GatewayMetrics(IMeterFactory meters, ReleaseSnapshotProvider snapshots)
    {
        var meter = meters.Create(GatewayTelemetry.Name);
        SnapshotRefreshFailures = meter.CreateCounter<long>(
            "gateway.releases.refresh.failures", description: "Release refreshes that failed; the last known good snapshot was kept.");
        meter.CreateObservableGauge(
            "gateway.releases.snapshot.age",
            () => snapshots.Age == TimeSpan.MaxValue ? -1 : snapshots.Age.TotalSeconds,
            unit: "s",
            description: "Seconds since the release snapshot was last confirmed against the store.");
        meter.CreateObservableGauge(
            "gateway.releases.snapshot.stale",
            () => snapshots.IsServingLastKnownGood ? 1 : 0,
            description: "1 while the store is unreachable and the last known good snapshot is served.");
        meter.CreateObservableGauge("gateway.releases.count", () => snapshots.Current.Count, description: "Releases in the snapshot.");
        UnpricedRequests = meter.CreateCounter<long>("gateway.accounting.unpriced_requests", description: "Requests whose model has no price in the pricing table.");
        BudgetChecksSkipped = meter.CreateCounter<long>("gateway.budgets.checks_skipped", description: "Budget checks not made because the store was unreachable.");
        UsageSamplesDropped = meter.CreateCounter<long>("gateway.usage.samples_dropped", description: "Usage samples dropped because the counter writer fell behind.");
    }

    public Counter<long> SnapshotRefreshFailures { get; }

    /// <summary>Requests whose model has no price: their cost is unknown, never counted as 0.</summary>
    public Counter<long> UnpricedRequests { get; private init; } = null!;

    /// <summary>Budget checks not made because the store was unreachable (tagged allowed/refused by policy).</summary>
    public Counter<long> BudgetChecksSkipped { get; private init; } = null!;

    /// <summary>Usage samples dropped because the counter writer fell behind.</summary>
    public Counter<long> UsageSamplesDropped { get; private init; } = null!;
}
