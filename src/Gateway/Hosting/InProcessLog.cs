namespace LlmGateway.Hosting;

internal static partial class InProcessLog
{
    [LoggerMessage(EventId = 9301, Level = LogLevel.Error, Message = "An OnCompleted callback of a request run in process failed")]
    public static partial void CompletionFailed(ILogger logger, Exception exception);
}
