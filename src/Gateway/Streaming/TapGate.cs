namespace LlmGateway.Streaming;

/// <summary>Whether the tap sends bytes on as they come, or holds them back, and why.</summary>
internal enum TapGate
{
    /// <summary>The response has not shown itself yet.</summary>
    Undecided,

    /// <summary>Write-through (an SSE event may still be held while the usage chunk is being stripped).</summary>
    Open,

    /// <summary>A retryable error response, held (headers unsent) until it is known to be the last attempt's.</summary>
    HoldError,

    /// <summary>A non-streamed JSON body, held (headers unsent) until its usage is in the headers.</summary>
    HoldJson,
}
