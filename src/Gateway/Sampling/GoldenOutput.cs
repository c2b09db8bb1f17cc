using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>The sampled answer in a golden example.</summary>
internal sealed record GoldenOutput(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("tool_calls")] IReadOnlyList<SampleToolCall> ToolCalls,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);
