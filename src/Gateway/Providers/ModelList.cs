using System.Text.Json.Serialization;

namespace LlmGateway.Providers;

internal sealed record ModelList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] ModelDescription[] Data);
