using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>Body of ack and release: the claim being settled.</summary>
internal sealed record SampleQueueReceipt(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("receipt")] string Receipt);
