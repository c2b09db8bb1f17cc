using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>
/// What one call produced, or why it failed. A failed call contributes to no metric but the error rate: it is dropped
/// from every paired comparison, and too many of them make the run incomplete (see <see cref="RunResult"/>).
/// </summary>
internal sealed record CaseExecution
{
    public string Output { get; init; } = string.Empty;

    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];

    /// <summary>End-to-end latency of the successful attempt, in milliseconds.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>From <c>X-Gateway-Cost-USD</c>; null when absent or <c>unknown</c> (an unpriced model).</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>From <c>X-Gateway-Output-Tokens</c>.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>The prompt the gateway says it served (<c>X-Prompt-Name</c>).</summary>
    public string? ServedPrompt { get; init; }

    /// <summary>The version the gateway says it served (<c>X-Prompt-Version</c>).</summary>
    public int? ServedVersion { get; init; }

    /// <summary>Why the call failed; null on success.</summary>
    public string? Error { get; init; }

    /// <summary>The HTTP status the gateway answered a failed call with; null when no answer came (connection, timeout) or the call succeeded.</summary>
    public int? Status { get; init; }

    /// <summary>The OpenAI error <c>code</c> (or <c>type</c>) of a failed call's answer, when it had one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>No answer came at all: the gateway could not be reached (connection refused, DNS, TLS).</summary>
    public bool Unreachable { get; init; }

    /// <summary>The failure may go away on retry (429, 5xx, timeout, connection).</summary>
    public bool Transient { get; init; }

    /// <summary>The server's <c>Retry-After</c>, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>How many attempts it took (set by <see cref="RetryingCaseExecutor"/>).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The result was read from the execution cache rather than called.</summary>
    public bool FromCache { get; init; }

    public bool Succeeded => Error is null;

    public static CaseExecution Failed(string error, bool transient = false, TimeSpan? retryAfter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        return new CaseExecution { Error = error, Transient = transient, RetryAfter = retryAfter };
    }
}
