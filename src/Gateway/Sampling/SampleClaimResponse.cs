using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

internal sealed record SampleClaimResponse([property: JsonPropertyName("items")] IReadOnlyList<SampleClaim> Items);
