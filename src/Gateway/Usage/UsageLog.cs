namespace LlmGateway.Usage;

internal static partial class UsageLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Could not write {Counters} usage counters: {ErrorType}. They are lost; requests were not affected.")]
    public static partial void WriteFailed(ILogger logger, int counters, string errorType);
}
