using System.Text.Json.Serialization;

namespace LlmGateway.Errors;

/// <summary>
/// The body of OpenAI's error shape: <c>{"error":{"message","type","param","code"}}</c>. The admin
/// API adds <see cref="Errors"/> when it reports several field problems at once.
/// </summary>
internal sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code)
{
    [JsonPropertyName("errors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<FieldError>? Errors { get; init; }
}
