using System.Text.Json.Serialization;

namespace LlmGateway.Releases;

/// <summary>
/// A release's own sampling policy (the <c>sampling</c> field of the release key); any field left
/// out falls back to <c>Gateway:Sampling</c>. Rates are fractions from 0 to 1.
/// </summary>
internal sealed record ReleaseSampling
{
    [JsonPropertyName("stable")]
    public double? Stable { get; init; }

    [JsonPropertyName("canary")]
    public double? Canary { get; init; }

    /// <summary>At least this many samples per arm per hour, so a small canary still yields a comparable set.</summary>
    [JsonPropertyName("floor_per_hour")]
    public int? FloorPerHour { get; init; }

    /// <summary>The first problem with the values, or null when they are usable.</summary>
    public (string Message, string Field)? Problem() =>
        Stable is < 0 or > 1 || double.IsNaN(Stable ?? 0) ? ("'stable' must be a rate from 0 to 1.", "sampling.stable")
        : Canary is < 0 or > 1 || double.IsNaN(Canary ?? 0) ? ("'canary' must be a rate from 0 to 1.", "sampling.canary")
        : FloorPerHour is < 0 or > 100_000 ? ("'floor_per_hour' must be from 0 to 100000.", "sampling.floor_per_hour")
        : null;
}
