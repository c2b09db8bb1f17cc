namespace LlmGateway.Accounting;

internal static partial class PricingLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "Price overrides could not be loaded ({ErrorType}); the prices in force stay.")]
    public static partial void OverridesNotLoaded(ILogger logger, string errorType);
}
