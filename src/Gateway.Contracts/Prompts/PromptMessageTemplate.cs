using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>One message of a bundle (<c>messages[]</c>); <see cref="Content"/> is a Liquid template.</summary>
public sealed record PromptMessageTemplate(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] string? Content);
