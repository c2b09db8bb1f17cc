namespace LlmGateway.Behaviour;

internal static partial class BehaviourLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Online evaluator round failed ({ExceptionType}); claimed samples come back after their visibility window")]
    public static partial void RoundFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 9013, Level = LogLevel.Warning, Message = "Extending an online evaluator round's claims failed ({ExceptionType}); the next heartbeat tries again")]
    public static partial void HeartbeatFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Sample {SampleId} could not be read or scored ({ExceptionType}); released, and dead-lettered after its last attempt")]
    public static partial void SampleFailed(ILogger logger, string sampleId, string exceptionType);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "The online_eval block of {Prompt} v{Version} no longer reads ({Problems}); {WhatIsScored}")]
    public static partial void PlanUnreadable(ILogger logger, string prompt, int version, string problems, string whatIsScored);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Behaviour change: {Prompt} ({Environment}) {Metric} {Direction} from {Before:0.####} to {After:0.####} at {Boundary:o}; nearest activation: {Activation}")]
    public static partial void ChangeDetected(ILogger logger, string prompt, string environment, string metric, string direction, double before, double after, DateTimeOffset boundary, string activation);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "Change detection round failed ({ExceptionType})")]
    public static partial void DetectionFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "The online judge model {Model} answered without a price: its daily USD budget cannot bound it, so it is not called again by this evaluator (add it to the pricing table)")]
    public static partial void JudgeUnpriced(ILogger logger, string model);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Warning, Message = "An online judge answer from {Model} came without its cost (an answer too long for the gateway to hold, or a proxy that strips the header): its daily USD budget cannot bound it, so it is not called again by this evaluator")]
    public static partial void JudgeCostMissing(ILogger logger, string model);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "Online judges are configured by {Prompt} but Gateway:OnlineEval:Judge:ApiKey is not set; its llm-rubric assertions are skipped")]
    public static partial void JudgeWithoutKey(ILogger logger, string prompt);

    [LoggerMessage(EventId = 9009, Level = LogLevel.Warning, Message = "Change detection of {Prompt} ({Environment}) failed ({ExceptionType}); the other prompts are looked at")]
    public static partial void DetectionFailed(ILogger logger, string prompt, string environment, string exceptionType);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "Looking up which samples of {Prompt} were counted already failed ({ExceptionType}); the batch is scored, and its count keeps each sample single")]
    public static partial void CountedLookupFailed(ILogger logger, string prompt, string exceptionType);

    [LoggerMessage(EventId = 9011, Level = LogLevel.Information, Message = "Behaviour series of {Prompt} ({Environment}) left the change detector's index: nothing was counted into it for a whole detection window")]
    public static partial void SeriesPruned(ILogger logger, string prompt, string environment);

    [LoggerMessage(EventId = 9012, Level = LogLevel.Warning, Message = "Dropping idle series from the change detector's index failed ({ExceptionType}); the look goes on")]
    public static partial void PruneFailed(ILogger logger, string exceptionType);
}
