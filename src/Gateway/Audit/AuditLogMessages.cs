namespace LlmGateway.Audit;

internal static partial class AuditLogMessages
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Could not write the audit entry {EntryId} for {Action} by {Actor} (status {Status}): {ErrorType}.")]
    public static partial void AuditWriteFailed(ILogger logger, string entryId, string action, string actor, int status, string errorType);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Refused an admin request without a valid token from {RemoteAddress} ({Reason}, {Action}); not audited, further refusals from this address are logged at most once a second (and at most 10 a second from all addresses).")]
    public static partial void UnauthenticatedRefused(ILogger logger, string remoteAddress, string reason, string action);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "{Actor} was refused more than {Limit} times this minute; further refusals this minute are counted but not audited.")]
    public static partial void RefusalAuditsLimited(ILogger logger, string actor, int limit);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "{Actor} made more than {Limit} audited admin requests this minute; further ones this minute are refused with 429 and not audited.")]
    public static partial void AuditedActionsLimited(ILogger logger, string actor, int limit);
}
