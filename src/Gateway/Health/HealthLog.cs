using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Health;

internal static partial class HealthLog
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Readiness check '{Check}' is {Status}: {Description}")]
    public static partial void NotHealthy(ILogger logger, string check, HealthStatus status, string? description);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Readiness check '{Check}' is healthy again.")]
    public static partial void HealthyAgain(ILogger logger, string check);
}
