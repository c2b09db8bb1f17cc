namespace LlmGateway.MockProvider.Pipeline;

internal enum ScheduleStepKind
{
    /// <summary>Answer normally.</summary>
    Ok,

    /// <summary>Answer with an injected error status.</summary>
    Status,

    /// <summary>Stream, then abort after this many content chunks.</summary>
    Cut,

    /// <summary>Abort the connection before any response.</summary>
    Reset,

    /// <summary>Wait this many milliseconds (or until the client leaves), then answer normally.</summary>
    Slow,
}
