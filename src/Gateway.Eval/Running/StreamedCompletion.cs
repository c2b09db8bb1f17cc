using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>What <see cref="SseCompletionReader"/> made of one streamed chat completion, or why it is not a complete answer.</summary>
internal sealed record StreamedCompletion
{
    /// <summary>The assistant text: every <c>choices[0].delta.content</c>, in order.</summary>
    public string Output { get; init; } = string.Empty;

    /// <summary>The tool calls, reassembled by their <c>index</c>: name and argument fragments concatenated.</summary>
    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];

    public string? FinishReason { get; init; }

    /// <summary>The gateway's <c>: gateway-usage</c> comment; null when the stream carried none.</summary>
    public StreamedUsage? Usage { get; init; }

    /// <summary>From the start of the call to the first content or tool-call delta; null when none came.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>Why the stream is not a complete answer (an error event, a cut, an unreadable event); null when it is.</summary>
    public string? Error { get; init; }

    /// <summary>The error event's <c>code</c> (or <c>type</c>), when it had one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The failure may go away on retry (a cut or stalled stream, a server error event).</summary>
    public bool Transient { get; init; }

    public bool Succeeded => Error is null;
}
