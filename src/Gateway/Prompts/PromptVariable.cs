using System.Text.Json.Serialization;

namespace LlmGateway.Prompts;

/// <summary>A template variable the bundle declares; templates may use no other.</summary>
internal sealed record PromptVariable(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("default")] string? Default,
    [property: JsonPropertyName("description")] string? Description);
