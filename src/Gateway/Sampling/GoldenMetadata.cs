using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>Where a golden example came from.</summary>
internal sealed record GoldenMetadata(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("environment")] string? Environment,
    [property: JsonPropertyName("prompt")] string? Prompt,
    [property: JsonPropertyName("version")] int? Version,
    [property: JsonPropertyName("variant")] string? Variant,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("truncated")] bool Truncated);
