using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Keys;

/// <summary>
/// Body of <c>POST /admin/v1/keys</c>: the app and environment the key serves, its permissions (<c>pin</c>,
/// <c>debug</c>) and optional budget. The server checks every field; the fields are nullable so that a missing
/// one is answered with a field error rather than a parse failure.
/// </summary>
public sealed record CreateKeyRequest(
    [property: JsonPropertyName("app")] string? App,
    [property: JsonPropertyName("environment")] string? Environment,
    [property: JsonPropertyName("permissions")] string[]? Permissions,
    [property: JsonPropertyName("limits")] KeyLimits? Limits = null);
