using System.Text.Json.Serialization;

namespace LlmGateway.Errors;

internal sealed record OpenAiErrorEnvelope([property: JsonPropertyName("error")] OpenAiError Error);
