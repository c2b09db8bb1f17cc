using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>A page of samples, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next.</summary>
internal sealed record SamplePage(
    [property: JsonPropertyName("samples")] IReadOnlyList<SampleSummary> Samples,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);
