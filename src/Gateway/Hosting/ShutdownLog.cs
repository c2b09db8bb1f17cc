namespace LlmGateway.Hosting;

internal static partial class ShutdownLog
{
    [LoggerMessage(EventId = 9401, Level = LogLevel.Warning, Message = "The server's requests ran past Gateway:Shutdown:DrainTimeout ({Seconds} s) at stop: those still running were cut")]
    public static partial void DrainCut(ILogger logger, double seconds);

    [LoggerMessage(EventId = 9402, Level = LogLevel.Warning, Message = "{Count} requests were still unwinding {Seconds} s after the server stopped: their usage and samples may be lost")]
    public static partial void RequestsStillRunning(ILogger logger, int count, double seconds);
}
