namespace LlmGateway.Rewriting;

internal static partial class RewritingLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Error, Message = "Rendering prompt '{Prompt}' v{Version} failed with {ErrorType}.")]
    public static partial void RenderFailed(ILogger logger, string prompt, int version, string errorType);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Rendering prompt '{Prompt}' v{Version} was stopped: it exceeded the {Limit} (Gateway:Templates).")]
    public static partial void RenderLimitExceeded(ILogger logger, string prompt, int version, string limit);
}
