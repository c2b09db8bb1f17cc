using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Providers;

/// <summary>One upstream provider, from <c>Gateway:Providers:{name}</c>.</summary>
internal sealed class ProviderOptions
{
    /// <summary><c>openai</c>, <c>azure-openai</c> or <c>openai-compatible</c>.</summary>
    [Required]
    public string Kind { get; set; } = ProviderKindNames.OpenAI;

    /// <summary>
    /// For <c>openai</c>/<c>openai-compatible</c>, the base URL as an OpenAI SDK would take it
    /// (e.g. <c>https://api.openai.com/v1</c>). For <c>azure-openai</c>, the resource endpoint.
    /// </summary>
    [Required]
    public string BaseUrl { get; set; } = "";

    /// <summary>The provider key. Prefer <see cref="ApiKeyEnvironmentVariable"/> or an environment override.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Name of an environment variable that holds the provider key.</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>Azure OpenAI <c>api-version</c> query value.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Longest time a request may wait on this provider without activity.</summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 100;

    /// <summary>Timeouts, retries and circuit breaking for this provider's models.</summary>
    public Resilience.ResilienceSettings? Resilience { get; set; }

    /// <summary>
    /// More deployments behind the same provider (e.g. a second Azure region), load-balanced by
    /// YARP with <see cref="BaseUrl"/>; each may have its own key.
    /// </summary>
    public List<ProviderEndpointOptions> Endpoints { get; set; } = [];

    /// <summary>YARP load-balancing policy across the endpoints (<c>PowerOfTwoChoices</c>, <c>RoundRobin</c>, <c>LeastRequests</c>, <c>Random</c>, <c>FirstAlphabetical</c>).</summary>
    public string LoadBalancing { get; set; } = "PowerOfTwoChoices";

    /// <summary>The key, from configuration or the named environment variable.</summary>
    public string? ResolveApiKey()
    {
        if (!string.IsNullOrWhiteSpace(ApiKey))
        {
            return ApiKey;
        }

        return string.IsNullOrWhiteSpace(ApiKeyEnvironmentVariable)
            ? null
            : Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable);
    }
}
