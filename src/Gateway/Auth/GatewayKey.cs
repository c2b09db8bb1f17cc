using System.Text.Json.Serialization;
using LlmGateway.Contracts.Keys;

namespace LlmGateway.Auth;

/// <summary>
/// A client credential issued by the gateway. Only the SHA-256 of the secret is stored;
/// <see cref="Id"/> is a public handle derived from that hash, safe to log and to sample.
/// </summary>
internal sealed record GatewayKey(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("app")] string App,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("permissions")] string[] Permissions,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt)
{
    /// <summary>Spend and token limits; null means unlimited.</summary>
    [JsonPropertyName("limits")]
    public KeyLimits? Limits { get; init; }

    /// <summary>The shadow principal of an environment (Shadow/ShadowPrincipal), never a stored key.</summary>
    [JsonIgnore]
    public bool IsShadow { get; init; }

    /// <summary>
    /// When set, the key's daily spend is drawn in slices of this many USD per instance (Budgets/SpendLease)
    /// rather than reserved in the store per request; only for keys whose one limit is a daily spend.
    /// </summary>
    [JsonIgnore]
    public decimal? SpendSliceUsd { get; init; }

    public bool Has(string permission) => Permissions.Contains(permission, StringComparer.Ordinal);
}
