namespace LlmGateway.Sampling.Queue;

internal static partial class WorkQueueLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Work queue '{Queue}': {Count} items dead-lettered after {MaxAttempts} attempts without an ack.")]
    public static partial void DeadLettered(ILogger logger, string queue, int count, int maxAttempts);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Work queue '{Queue}': {Count} dead letters moved back to ready.")]
    public static partial void RequeuedDead(ILogger logger, string queue, long count);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Work queue '{Queue}': {Count} oldest dead letters dropped to keep at most {MaxDead}.")]
    public static partial void DeadLettersDropped(ILogger logger, string queue, long count, long maxDead);
}
