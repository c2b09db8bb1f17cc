namespace LlmGateway.Rollouts.Notifications;

/// <summary>Webhook logs name the environment and the URL's host only: never its path or query (tokens live there) nor the secret.</summary>
internal static partial class RolloutNotificationsLog
{
    [LoggerMessage(EventId = 9160, Level = LogLevel.Debug, Message = "Rollout webhook for {Environment} ({Host}) delivered: {Decision} of {Prompt} after {Attempts} attempt(s)")]
    public static partial void Delivered(ILogger logger, string environment, string host, string decision, string prompt, int attempts);

    [LoggerMessage(EventId = 9161, Level = LogLevel.Warning, Message = "Rollout webhook for {Environment} ({Host}) failed: {Decision} of {Prompt}, {Failure} after {Attempts} attempt(s)")]
    public static partial void Failed(ILogger logger, string environment, string host, string decision, string prompt, string failure, int attempts);

    [LoggerMessage(EventId = 9162, Level = LogLevel.Debug, Message = "Rollout webhook attempt {Attempt} for {Environment} ({Host}) failed ({Failure}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, int attempt, string environment, string host, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 9163, Level = LogLevel.Warning, Message = "Rollout webhook outbox for {Environment} is full: dropped the oldest notification ({Decision} of {Prompt})")]
    public static partial void Dropped(ILogger logger, string environment, string decision, string prompt);

    [LoggerMessage(EventId = 9164, Level = LogLevel.Error, Message = "Rollout notification of {Decision} for {Prompt} in {Environment} could not be queued ({ExceptionType})")]
    public static partial void NotQueued(ILogger logger, string decision, string prompt, string environment, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 9165, Level = LogLevel.Information, Message = "Rollout decisions are posted to webhooks for: {Environments}")]
    public static partial void Configured(ILogger logger, string environments);

    [LoggerMessage(EventId = 9166, Level = LogLevel.Warning, Message = "Rollout webhooks for {Environment}: the store did not answer ({ExceptionType}); the notifications wait in it and are sent when it does")]
    public static partial void StoreFailed(ILogger logger, string environment, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 9167, Level = LogLevel.Warning, Message = "Rollout webhook outbox for {Environment} held an entry that is not a notification ({Bytes} bytes); removed")]
    public static partial void Unreadable(ILogger logger, string environment, int bytes);

    [LoggerMessage(EventId = 9168, Level = LogLevel.Warning, Message = "Rollout webhook for {Environment}: this instance lost the sender lease while sending {Decision} of {Prompt}; the holder now sends it")]
    public static partial void LeaseLost(ILogger logger, string environment, string decision, string prompt);
}
