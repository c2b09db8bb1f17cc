using System.Text.Json.Serialization;

namespace LlmGateway.Admin;

/// <summary><c>GET /admin/v1/instance/releases</c>: this instance's in-process snapshot.</summary>
internal sealed record InstanceReleases(
    [property: JsonPropertyName("loaded_at")] DateTimeOffset? LoadedAt,
    [property: JsonPropertyName("store_available")] bool StoreAvailable,
    [property: JsonPropertyName("stale_seconds")] double? StaleSeconds,
    [property: JsonPropertyName("releases")] IReadOnlyList<InstanceRelease> Releases);
