using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// A template variable a bundle declares (<c>variables[]</c>); its templates may use no other. A variable with a
/// <c>maximum</c> takes only a whole number from 0 to it, and only such a variable may bound a loop's range
/// (<c>{% for i in (1..max_items) %}</c>). Optional: a bundle without it reads and writes as before.
/// </summary>
public sealed record PromptVariable(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("default")] string? Default,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("maximum")] int? Maximum = null);
