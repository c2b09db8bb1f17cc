using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.AdminTokens;

/// <summary>
/// An admin token as listed: never its secret. <see cref="Source"/> is <c>stored</c> (issued through the admin API,
/// revocable there) or <c>configuration</c> (a bootstrap token from <c>Gateway:Admin:Tokens</c>: removed by editing
/// the configuration, with no creation time or creator).
/// </summary>
public sealed record AdminTokenRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("created_by")] string? CreatedBy)
{
    public const string StoredSource = "stored";

    public const string ConfigurationSource = "configuration";
}
