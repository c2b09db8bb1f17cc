namespace LlmGateway.Providers;

/// <summary>One more deployment of a provider, from <c>Gateway:Providers:{name}:Endpoints:{i}</c>.</summary>
internal sealed class ProviderEndpointOptions
{
    /// <summary>Same form as the provider's <c>BaseUrl</c>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>This deployment's key; the provider's key when unset.</summary>
    public string? ApiKey { get; set; }

    public string? ApiKeyEnvironmentVariable { get; set; }

    public string? ResolveApiKey() => ProviderOptions.Resolve(ApiKey, ApiKeyEnvironmentVariable);
}
