using System.Text.Json.Serialization;

namespace LlmGateway.Providers;

internal sealed record ModelDescription(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);
