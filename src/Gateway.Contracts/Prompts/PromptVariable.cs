using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>A template variable a bundle declares (<c>variables[]</c>); its templates may use no other.</summary>
public sealed record PromptVariable(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("default")] string? Default,
    [property: JsonPropertyName("description")] string? Description);
