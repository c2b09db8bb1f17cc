using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

internal sealed record SampleRequeueResponse([property: JsonPropertyName("requeued")] long Requeued);
