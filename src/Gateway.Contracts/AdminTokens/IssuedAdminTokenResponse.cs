using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.AdminTokens;

/// <summary><c>201</c> of <c>POST /admin/v1/admin-tokens</c>: <see cref="Token"/> is shown this once and cannot be recovered.</summary>
public sealed record IssuedAdminTokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("record")] AdminTokenRecord Record);
