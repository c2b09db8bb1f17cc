using System.Text.Json.Serialization;

namespace LlmGateway.Admin;

/// <summary>Body of <c>POST /admin/v1/keys</c>.</summary>
internal sealed record CreateKeyRequest(
    [property: JsonPropertyName("app")] string? App,
    [property: JsonPropertyName("environment")] string? Environment,
    [property: JsonPropertyName("permissions")] string[]? Permissions,
    [property: JsonPropertyName("limits")] LlmGateway.Auth.KeyLimits? Limits = null);
