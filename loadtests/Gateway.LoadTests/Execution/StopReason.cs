namespace LlmGateway.LoadTests.Execution;

/// <summary>Which bound ended the run.</summary>
internal enum StopReason
{
    /// <summary>Warmup plus <c>--duration</c> elapsed.</summary>
    Duration,

    /// <summary><c>--max-requests</c> were sent.</summary>
    MaxRequests,

    /// <summary>Ctrl+C or SIGTERM.</summary>
    Interrupted,
}
