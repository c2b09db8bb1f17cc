namespace LlmGateway.Hosting;

internal static partial class DemoModeLog
{
    // The demo key is a published constant, not a secret, so printing it is the point.
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Demo gateway listening on {Urls}. Use API key '{DemoKey}'. Mock provider at {MockUrl}.")]
    public static partial void Started(ILogger logger, string urls, string demoKey, string mockUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Seeded prompt '{Prompt}' (v1 stable, v2 on a 10% canary) in '{Environment}': call it as \"model\": \"prompt:{Prompt}\".")]
    public static partial void PromptSeeded(ILogger logger, string prompt, string environment);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Could not seed the demo prompt: {ErrorType}.")]
    public static partial void SeedFailed(ILogger logger, string errorType);
}
