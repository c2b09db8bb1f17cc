using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>A claimed sample: its record, and the receipt that acknowledges or releases it.</summary>
internal sealed record SampleClaim(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("receipt")] string Receipt,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("visible_until")] DateTimeOffset VisibleUntil,
    [property: JsonPropertyName("sample")] SampleRecord Sample);
