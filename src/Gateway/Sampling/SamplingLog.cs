namespace LlmGateway.Sampling;

internal static partial class SamplingLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Sample writes are failing ({Reason}); dropped {Count} samples, and dropping (counted) until the store is back.")]
    public static partial void WriteFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Sample writes recovered.")]
    public static partial void WriterRecovered(ILogger logger);

    // The exception may quote the body's content, so it goes out at Debug only.
    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Sample {SampleId} could not be built and was dropped.")]
    public static partial void BuildFailedSummary(ILogger logger, string sampleId);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "Sample {SampleId} could not be built.")]
    public static partial void BuildFailedDetail(ILogger logger, string sampleId, Exception exception);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Queueing {Count} stored samples for the evaluators failed ({Reason}); tried again with each next batch until it succeeds.")]
    public static partial void EnqueueFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Trimming a prompt's samples to their cap failed ({Reason}) after the batch was stored; the next batch of that prompt trims the excess.")]
    public static partial void TrimFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "A batch of {Count} samples reached the store but its reply was lost ({Reason}); queued for the evaluators as stored, not counted as dropped. Logged once until sample writes recover.")]
    public static partial void WriteUncertain(ILogger logger, int count, string reason);

    public static void BuildFailed(ILogger logger, string sampleId, Exception exception)
    {
        BuildFailedSummary(logger, sampleId);
        BuildFailedDetail(logger, sampleId, exception);
    }
}
