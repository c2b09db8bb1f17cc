namespace LlmGateway.Resilience;

/// <summary>Why a response that had already started did not finish.</summary>
internal enum StreamInterruption
{
    /// <summary>The provider closed or reset the connection mid-response.</summary>
    Cut,

    /// <summary>The provider went silent past the idle timeout.</summary>
    Stalled,

    /// <summary>
    /// The request's total time (<c>TotalTimeoutMs</c>) ran out mid-stream: a provider too slow, or a client reading too
    /// slowly (its wait counts against the total only), so not a stall.
    /// </summary>
    TimedOut,

    /// <summary>The provider sent a line longer than the gateway holds (<c>Gateway:Proxy:MaxProviderLineBytes</c>).</summary>
    Oversized,
}
