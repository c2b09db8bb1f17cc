namespace LlmGateway.Store;

internal static partial class StoreLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Embedded Garnet store listening on 127.0.0.1:{Port} ({Persistence}; log memory {Memory} in {PageSize} pages, index {Index}).")]
    public static partial void EmbeddedStarted(ILogger logger, int port, string persistence, string memory, string pageSize, string index);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Embedded Garnet store on port {Port} stopped.")]
    public static partial void EmbeddedStopped(ILogger logger, int port);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Store client created for {Endpoints}; connected: {Connected}.")]
    public static partial void Connected(ILogger logger, string endpoints, bool connected);
}
