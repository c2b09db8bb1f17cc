namespace LlmGateway.Audit;

internal static partial class AuditLogMessages
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Could not write the audit entry for {Action} on {Target} by {Actor}: {ErrorType}.")]
    public static partial void AuditWriteFailed(ILogger logger, string action, string target, string actor, string errorType);
}
