using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.AdminTokens;

/// <summary>
/// Body of <c>POST /admin/v1/admin-tokens</c>: the actor name the token acts as (what history and audit show) and
/// its roles. The server checks every field; the fields are nullable so that a missing one is answered with a field
/// error rather than a parse failure.
/// </summary>
public sealed record IssueAdminTokenRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("roles")] string[]? Roles);
