namespace LlmGateway.Hosting;

internal static partial class DemoModeLog
{
    // The demo key is a published constant, not a secret, so printing it is the point.
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Demo gateway listening on {Urls}. Use API key '{DemoKey}'. Mock provider at {MockUrl}.")]
    public static partial void Started(ILogger logger, string urls, string demoKey, string mockUrl);
}
