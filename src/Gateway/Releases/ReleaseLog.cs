namespace LlmGateway.Releases;

internal static partial class ReleaseLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Release refresh failed ({ErrorType}); serving the last known good snapshot loaded at {LoadedAt:o}.")]
    public static partial void RefreshFailed(ILogger logger, string errorType, DateTimeOffset loadedAt);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Ignoring the release of '{Prompt}' in '{Environment}': {Problem}. The previous value stays in force.")]
    public static partial void InvalidRelease(ILogger logger, string prompt, string environment, string problem);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Recorded a direct write of the release of '{Prompt}' in '{Environment}' (stable {Stable}, canary {Canary}).")]
    public static partial void ExternalChange(ILogger logger, string prompt, string environment, int? stable, int? canary);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug, Message = "Release snapshot swapped: {Count} releases.")]
    public static partial void Swapped(ILogger logger, int count);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "The release change of '{Prompt}' is in force, but adding the prompt to the prompt index failed ({ErrorType}); the next release change tries again.")]
    public static partial void PromptIndexRepairFailed(ILogger logger, string prompt, string errorType);
}
