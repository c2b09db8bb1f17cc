namespace LlmGateway.Cli.Samples;

/// <summary>What came back to the application, reassembled from the stream when it was streamed.</summary>
internal sealed record SampleResponse(
    int? Status,
    string? Text,
    IReadOnlyList<SampleToolCall>? ToolCalls,
    string? FinishReason,
    string? Model,
    string? Refusal,
    bool Streamed,
    bool Complete,
    string? Error);
