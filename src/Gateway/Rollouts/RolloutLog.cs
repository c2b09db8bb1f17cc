namespace LlmGateway.Rollouts;

internal static partial class RolloutLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Rollout of {Prompt} v{Candidate} in {Environment}: {Decision} at step {Step} ({Reason})")]
    public static partial void Decided(ILogger logger, string prompt, string environment, int candidate, string decision, int step, string reason);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "Rollout of {Prompt} in {Environment}: the stored plan does not read now ({Problems}); looking again next time")]
    public static partial void PlanUnreadable(ILogger logger, string prompt, string environment, string problems);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Rollout controller round failed ({ExceptionType})")]
    public static partial void RoundFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "Release of {Prompt} in {Environment}: v{Canary} was a rollout's canary with no rollout judging it (its start failed part-way); withdrawn")]
    public static partial void OrphanWithdrawn(ILogger logger, string prompt, string environment, int canary);
}
