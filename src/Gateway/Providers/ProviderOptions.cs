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

    /// <summary>
    /// Request headers forwarded to this provider besides the defaults (<c>Content-Type</c>, <c>Content-Length</c>,
    /// <c>Accept</c>, <c>User-Agent</c>, <c>OpenAI-Beta</c>): exact names, or prefixes ending in <c>*</c>
    /// (e.g. <c>x-mock-*</c>). Credentials, cookies, forwarding and connection headers and the gateway's own
    /// headers cannot be named.
    /// </summary>
    public List<string> ForwardRequestHeaders { get; set; } = [];

    /// <summary>
    /// Response headers returned from this provider besides the defaults (<c>Content-Type</c>, <c>Content-Length</c>,
    /// <c>Content-Encoding</c>, <c>Cache-Control</c>, <c>Retry-After</c>; its <c>X-Request-Id</c> as
    /// <c>X-Upstream-Request-Id</c>): e.g. <c>x-ratelimit-*</c> or <c>Set-Cookie</c>, which are dropped otherwise.
    /// The gateway's own headers and connection headers cannot be named.
    /// </summary>
    public List<string> ReturnResponseHeaders { get; set; } = [];

    /// <summary>YARP load-balancing policy across the endpoints (<c>PowerOfTwoChoices</c>, <c>RoundRobin</c>, <c>LeastRequests</c>, <c>Random</c>, <c>FirstAlphabetical</c>).</summary>
    public string LoadBalancing { get; set; } = "PowerOfTwoChoices";

    /// <summary>The key, from configuration or the named environment variable.</summary>
    /// <summary>
    /// The key, without the white space around it that a mounted secret file or a pasted value brings (a trailing new
    /// line made every call's Authorization header invalid, or refused by the provider); null when unset or blank.
    /// </summary>
    public string? ResolveApiKey() => Resolve(ApiKey, ApiKeyEnvironmentVariable);

    internal static string? Resolve(string? apiKey, string? environmentVariable)
    {
        var key = !string.IsNullOrWhiteSpace(apiKey) ? apiKey
            : string.IsNullOrWhiteSpace(environmentVariable) ? null
            : Environment.GetEnvironmentVariable(environmentVariable);
        return string.IsNullOrWhiteSpace(key) ? null : key.Trim();
    }
}
