using System.Text.Json.Serialization;

namespace LlmGateway.Prompts;

/// <summary>One message of a bundle; <see cref="Content"/> is a Liquid template.</summary>
internal sealed record PromptMessageTemplate(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] string? Content);
