namespace LlmGateway.Providers;

/// <summary>One deployment of a provider: a YARP destination (scheme, host and port only) and its own key, if any.</summary>
internal sealed record ProviderDestination(string Id, string Address, string? ApiKey);
