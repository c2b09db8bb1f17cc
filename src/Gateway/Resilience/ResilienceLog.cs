namespace LlmGateway.Resilience;

internal static partial class ResilienceLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Model '{Model}' could not serve ({Reason}); falling back to '{Fallback}'.")]
    public static partial void FallingBack(ILogger logger, string model, string fallback, string reason);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Model '{Model}' could not serve; its fallback '{Fallback}' has no price, so it does not serve a key with a spend limit.")]
    public static partial void UnpricedFallbackSkipped(ILogger logger, string model, string fallback);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Gave up on '{Model}' after {Attempts} attempts ({Reason}).")]
    public static partial void GaveUp(ILogger logger, string model, int attempts, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Provider '{Provider}' refused the gateway's credentials (401) for model '{Model}': check its API key. Clients get 502 upstream_auth_failed; the provider's text is not passed on. Logged at most once a minute per provider.")]
    public static partial void UpstreamAuthFailed(ILogger logger, string provider, string model);
}
