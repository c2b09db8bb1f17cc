namespace LlmGateway.Auth;

internal static partial class AuthLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Could not verify a gateway key: the store failed with {ErrorType} (logged at most once a second).")]
    public static partial void StoreUnavailable(ILogger logger, string errorType);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Demo key registered for app '{App}' in environment '{Environment}' (id {KeyId}).")]
    public static partial void DevKeyRegistered(ILogger logger, string app, string environment, string keyId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Could not register the demo key: the store failed with {ErrorType}.")]
    public static partial void DevKeyFailed(ILogger logger, string errorType);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Could not reload the stored admin tokens: the store failed with {ErrorType}. The last known tokens stay in force.")]
    public static partial void AdminTokensUnavailable(ILogger logger, string errorType);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "The stored admin token {Id} does not read ({ErrorType}): it is left out (it authenticates nobody) until it is revoked or rewritten.")]
    public static partial void AdminTokenUnreadable(ILogger logger, string id, string errorType);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "The stored gateway key {KeyId} does not read ({ErrorType}): it is refused until it is revoked or rewritten.")]
    public static partial void GatewayKeyUnreadable(ILogger logger, string keyId, string errorType);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Address {Address} presented {Limit} unknown API keys this minute; its further unknown keys get 429 until the minute ends.")]
    public static partial void FailedLookupsLimited(ILogger logger, string address, int limit);
}
