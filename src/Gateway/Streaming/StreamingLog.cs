namespace LlmGateway.Streaming;

internal static partial class StreamingLog
{
    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning,
        Message = "The response from {Model} had {Malformed} unreadable events and {InvalidText} with invalid text; they reached the client unchanged ({Problem})")]
    public static partial void UnreadableEvents(ILogger logger, string model, int malformed, int invalidText, string? problem);
}
