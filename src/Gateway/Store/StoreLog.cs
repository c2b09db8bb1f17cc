namespace LlmGateway.Store;

internal static partial class StoreLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Embedded Garnet store listening on 127.0.0.1:{Port} ({Persistence}; log memory {Memory} in {PageSize} pages, index {Index}).")]
    public static partial void EmbeddedStarted(ILogger logger, int port, string persistence, string memory, string pageSize, string index);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Embedded Garnet store on port {Port} stopped.")]
    public static partial void EmbeddedStopped(ILogger logger, int port);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Store client created for {Endpoints}; connected: {Connected}.")]
    public static partial void Connected(ILogger logger, string endpoints, bool connected);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Embedded Garnet store runs in process {ProcessId}.")]
    public static partial void ChildStarted(ILogger logger, int processId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Store process {ProcessId}: {Line}")]
    public static partial void ChildOutput(ILogger logger, int processId, string line);

    [LoggerMessage(EventId = 105, Level = LogLevel.Critical, Message = "The embedded store process {ProcessId} exited with code {ExitCode} while the gateway runs: the gateway stops (exit code 1), so that its supervisor starts it again with a new store.")]
    public static partial void ChildExited(ILogger logger, int processId, int exitCode);

    [LoggerMessage(EventId = 106, Level = LogLevel.Critical, Message = "The embedded store process {ProcessId} has not answered a PING for {Seconds:F1} s: it is killed as hung, and the gateway stops (exit code 1), so that its supervisor starts it again with a new store.")]
    public static partial void ChildHung(ILogger logger, int processId, double seconds);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Redis Cluster: {Silent} of {Total} primaries did not answer PING: {EndPoints}.")]
    public static partial void PrimariesSilent(ILogger logger, int silent, int total, string endPoints);
}
