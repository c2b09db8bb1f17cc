using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>What came back, reassembled from the stream when streamed.</summary>
internal sealed record SampleResponse
{
    [JsonPropertyName("status")]
    public int Status { get; init; }

    [JsonPropertyName("text")]
    public string? Text { get; init; }

    [JsonPropertyName("tool_calls")]
    public IReadOnlyList<SampleToolCall> ToolCalls { get; init; } = [];

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("refusal")]
    public string? Refusal { get; init; }

    [JsonPropertyName("streamed")]
    public bool Streamed { get; init; }

    /// <summary>False when the stream was cut before its end.</summary>
    [JsonPropertyName("complete")]
    public bool Complete { get; init; }

    /// <summary>The provider's or the gateway's error message, when the request failed.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }
}
