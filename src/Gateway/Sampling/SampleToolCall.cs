using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>One tool call of a sampled response, its argument fragments joined.</summary>
internal sealed record SampleToolCall(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("arguments")] string Arguments);
