using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Releases;

/// <summary>
/// A release's own sampling policy: the <c>sampling</c> of the stored release and of its view, and the body's
/// <c>sampling</c> of <c>PUT …/releases/{env}/sampling</c>. Rates are fractions from 0 to 1 of each arm's
/// requests kept as samples; any field left out falls back to the configured <c>Gateway:Sampling</c> default.
/// </summary>
public sealed record ReleaseSampling
{
    [JsonPropertyName("stable")]
    public double? Stable { get; init; }

    [JsonPropertyName("canary")]
    public double? Canary { get; init; }

    /// <summary>Samples per arm per hour taken at a steady pace whatever the rate, so a small canary still yields a comparable set.</summary>
    [JsonPropertyName("floor_per_hour")]
    public int? FloorPerHour { get; init; }
}
