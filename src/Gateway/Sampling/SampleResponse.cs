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

    /// <summary>False when the answer did not reach its end (a stream cut, a failed request); a capture cut at its cap is still complete.</summary>
    [JsonPropertyName("complete")]
    public bool Complete { get; init; }

    /// <summary>
    /// The text or a tool call's arguments are cut in this record (the capture's or the stored sample's byte cap): a
    /// prefix of what the client got, so what the answer said cannot be scored from it.
    /// </summary>
    [JsonPropertyName("cut")]
    public bool Cut { get; init; }

    /// <summary>
    /// The client stopped reading a stream it had begun to get (a user pressing stop): the answer ends where the user
    /// chose, so it is no error of the version, and its latency is the user's, not the answer's.
    /// </summary>
    [JsonPropertyName("client_stopped")]
    public bool ClientStopped { get; init; }

    /// <summary>The provider's or the gateway's error message, when the request failed.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }
}
