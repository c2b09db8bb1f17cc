using System.Text.Json.Serialization;

namespace LlmGateway.Errors;

/// <summary>The body of OpenAI's error shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
