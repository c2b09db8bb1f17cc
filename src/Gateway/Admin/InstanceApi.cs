using LlmGateway.Releases;
using LlmGateway.Serialization;
using LlmGateway.Store;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/instance</c>: what this gateway instance itself is serving.</summary>
internal static class InstanceApi
{
    public static RouteGroupBuilder MapInstanceApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/instance/releases", Releases).WithTags("Instance").Produces<InstanceReleases>().WithName("InstanceReleases")
            .WithSummary("The releases in this instance's in-process snapshot, and its freshness.");
        return admin;
    }

    private static IResult Releases(ReleaseSnapshotProvider snapshots, GatewayStore store)
    {
        var snapshot = snapshots.Current;
        var releases = snapshot.Releases
            .OrderBy(r => r.Prompt, StringComparer.Ordinal).ThenBy(r => r.Environment, StringComparer.Ordinal)
            .Select(r => new InstanceRelease(r.Prompt, r.Environment, r.Record.Stable, r.Record.Canary, r.Record.CanaryWeight, r.Record.Revision, r.Record.Sampling, r.Record.RolloutSampling))
            .ToArray();
        var age = snapshots.Age;
        return Results.Json(
            new InstanceReleases(snapshot.IsLoaded ? snapshot.LoadedAt : null, store.IsConnected && !snapshots.IsServingLastKnownGood, age == TimeSpan.MaxValue ? null : age.TotalSeconds, releases),
            GatewayJsonContext.Default.InstanceReleases);
    }
}
