namespace LlmGateway.Hosting;

internal static partial class ShutdownLog
{
    [LoggerMessage(EventId = 9401, Level = LogLevel.Warning, Message = "The server's requests ran past Gateway:Shutdown:DrainTimeout ({Seconds} s) at stop: those still running were cut")]
    public static partial void DrainCut(ILogger logger, double seconds);
}
