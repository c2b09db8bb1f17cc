using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>A bundle's retrieval settings (<c>retrieval</c>), versioned with the prompt. Stored and exposed; the gateway does not interpret them.</summary>
public sealed record PromptRetrieval(
    [property: JsonPropertyName("corpus")] string? Corpus,
    [property: JsonPropertyName("snapshot")] string? Snapshot,
    [property: JsonPropertyName("index")] string? Index,
    [property: JsonPropertyName("top_k")] int? TopK,
    [property: JsonPropertyName("filters")] JsonElement? Filters);
