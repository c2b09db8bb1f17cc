namespace LlmGateway.Shadow;

internal static partial class ShadowLog
{
    [LoggerMessage(EventId = 9201, Level = LogLevel.Debug, Message = "Shadow call for {RequestId} ended {Outcome} ({Detail})")]
    public static partial void CallEnded(ILogger logger, string requestId, string outcome, string detail);

    [LoggerMessage(EventId = 9202, Level = LogLevel.Warning, Message = "Shadow calls are refused by their daily budget in '{Environment}' (Gateway:Shadow:DailyBudgetUsd); copies are not answered until the next UTC day")]
    public static partial void OverBudget(ILogger logger, string environment);

    [LoggerMessage(EventId = 9203, Level = LogLevel.Warning, Message = "The gateway's server is not running, so shadow calls cannot be sent; shadow steps gather no pairs")]
    public static partial void NotRunning(ILogger logger);

    [LoggerMessage(EventId = 9204, Level = LogLevel.Warning, Message = "Shadow call for {RequestId} still runs {Elapsed} after it was sent, past its deadline: a stage does not heed the abort; its sender waits for it")]
    public static partial void Overdue(ILogger logger, string requestId, TimeSpan elapsed);
}
