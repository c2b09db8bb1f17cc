namespace LlmGateway.Providers;

/// <summary>One more deployment of a provider, from <c>Gateway:Providers:{name}:Endpoints:{i}</c>.</summary>
internal sealed class ProviderEndpointOptions
{
    /// <summary>Same form as the provider's <c>BaseUrl</c>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>
    /// This deployment's key; the provider's key when neither this nor <see cref="ApiKeyEnvironmentVariable"/> is set. A
    /// variable named but unset or empty sends no key at all (and the gateway is not ready), never another deployment's.
    /// </summary>
    public string? ApiKey { get; set; }

    public string? ApiKeyEnvironmentVariable { get; set; }

    public string? ResolveApiKey() => ProviderOptions.Resolve(ApiKey, ApiKeyEnvironmentVariable);

    /// <summary>Whether this deployment has a key of its own configured (found or not), rather than using the provider's.</summary>
    public bool NamesOwnKey => !string.IsNullOrWhiteSpace(ApiKey) || !string.IsNullOrWhiteSpace(ApiKeyEnvironmentVariable);
}
