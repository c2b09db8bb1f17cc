namespace LlmGateway.Resilience;

/// <summary>Which of the gateway's timers ended an attempt.</summary>
internal enum UpstreamTimeout
{
    None,

    /// <summary>No byte of the response within the first-byte timeout.</summary>
    FirstByte,

    /// <summary>The response started, then stalled past the idle timeout.</summary>
    Idle,

    /// <summary>The whole request ran past its total timeout.</summary>
    Total,
}
