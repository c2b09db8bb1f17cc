using System.Text.Json.Serialization;
using LlmGateway.Auth;

namespace LlmGateway.Admin;

/// <summary>The new key; <see cref="Key"/> is shown this once and cannot be recovered.</summary>
internal sealed record CreatedKeyResponse(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("record")] GatewayKey Record);
