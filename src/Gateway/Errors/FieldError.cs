using System.Text.Json.Serialization;

namespace LlmGateway.Errors;

/// <summary>One problem with one field of a request, addressed by a JSON path such as <c>messages[0].content</c>.</summary>
internal sealed record FieldError(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message);
