using LlmGateway.Memory;

namespace LlmGateway.Providers;

/// <summary>A configured provider, resolved once at start-up. Its key never leaves this type except into the upstream request.</summary>
internal sealed class Provider
{
    private readonly string? _apiKey;

    public Provider(string name, ProviderOptions options)
    {
        if (!ProviderKindNames.TryParse(options.Kind, out var kind))
        {
            throw new ArgumentException($"Unknown provider kind '{options.Kind}'.", nameof(options));
        }

        Name = name;
        Kind = kind;
        BaseUrl = new Uri(options.BaseUrl.TrimEnd('/') + "/");
        ApiVersion = options.ApiVersion;
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        _apiKey = options.ResolveApiKey();
        ClusterId = $"provider:{name}";
        ResilienceSettings = options.Resilience;
        LoadBalancing = options.LoadBalancing;
        RequestHeaders = HeaderAllowList.ForRequests(options.ForwardRequestHeaders);
        ResponseHeaders = HeaderAllowList.ForResponses(options.ReturnResponseHeaders);
        Policy = Resilience.ResiliencePolicy.Resolve(null, options.Resilience, options.TimeoutSeconds);
        // Ids sort in the order configured (YARP's FirstAlphabetical takes the first by id: BaseUrl, then each endpoint in
        // turn; "endpoint-1" sorted before "primary", and "endpoint-10" before "endpoint-2").
        Destinations =
        [
            new ProviderDestination("000-primary", BaseUrl.GetLeftPart(UriPartial.Authority), null),
            .. options.Endpoints.Select((endpoint, i) => new ProviderDestination(
                $"{i + 1:D3}-endpoint", new Uri(endpoint.BaseUrl).GetLeftPart(UriPartial.Authority), endpoint.ResolveApiKey())),
        ];
        _credential = Credential(_apiKey);
        // A deployment that names a key of its own gets that key or none: a variable left unset (a typo, a secret not
        // mounted) must not send the provider's key to another host, perhaps another vendor's.
        var ownKeys = options.Endpoints
            .Select((endpoint, i) => (Index: i, Destination: Destinations[i + 1]))
            .Where(e => options.Endpoints[e.Index].NamesOwnKey)
            .ToList();
        _credentialsByPrefix = ownKeys.ToDictionary(e => e.Destination.Address, e => Credential(e.Destination.ApiKey), StringComparer.OrdinalIgnoreCase);
        EndpointsWithoutTheirKey = [.. ownKeys.Where(e => e.Destination.ApiKey is null).Select(e => e.Index)];
    }

    private const int MaxKnownPaths = 64;

    private readonly string? _credential;
    private readonly Dictionary<string, string?> _credentialsByPrefix;
    private readonly BoundedMemo<string, string> _paths = new(MaxKnownPaths, WhenFull.KeepFirst, StringComparer.Ordinal);

    public string LoadBalancing { get; }

    /// <summary>The client's request headers this provider receives (nothing else is forwarded).</summary>
    public HeaderAllowList RequestHeaders { get; }

    /// <summary>This provider's response headers the client receives (nothing else is returned).</summary>
    public HeaderAllowList ResponseHeaders { get; }

    /// <summary>The provider's own resilience settings (models may override them).</summary>
    public Resilience.ResilienceSettings? ResilienceSettings { get; }

    /// <summary>
    /// Provider-level resilience: the connect timeout and a deployment's own circuit (failures to reach it) are per
    /// destination, so per provider; a model's circuit on a deployment reads the model's.
    /// </summary>
    public Resilience.ResiliencePolicy Policy { get; }

    /// <summary>The deployments YARP load-balances: the base URL's, then each extra endpoint's.</summary>
    public IReadOnlyList<ProviderDestination> Destinations { get; }

    public string Name { get; }

    public ProviderKind Kind { get; }

    /// <summary>Always ends in a slash.</summary>
    public Uri BaseUrl { get; }

    public string? ApiVersion { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The YARP cluster that forwards to this provider.</summary>
    public string ClusterId { get; }

    public bool HasApiKey => !string.IsNullOrEmpty(_apiKey);

    /// <summary>
    /// The indexes in <c>Endpoints</c> of the deployments that name a key of their own that was not found: they are sent
    /// no key, and the gateway is not ready (<see cref="ProviderCatalogHealthCheck"/>).
    /// </summary>
    public IReadOnlyList<int> EndpointsWithoutTheirKey { get; }

    /// <summary>OpenAI and Azure refuse every request without a key; compatible servers may not need one.</summary>
    public bool RequiresApiKey => Kind != ProviderKind.OpenAICompatible;

    /// <summary>
    /// The provider stops a model at its own output limit when a request sets no cap: OpenAI and Azure OpenAI. An
    /// OpenAI-compatible server need not (vLLM generates to the end of its context window, Ollama's <c>num_predict</c>
    /// -1 never stops), so a limited key's request without a cap is sent to one with the cap it reserved
    /// (<see cref="Budgets.OutputCap"/>). OpenAI and Azure get the body as sent, on purpose: they already hold the
    /// bound (the catalog's defaults are their published limits), and a cap the gateway wrote could make them refuse
    /// requests that work today: reasoning models refuse chat's <c>max_tokens</c> (they read
    /// <c>max_completion_tokens</c>), and gpt-4's 8,192 output tokens are its whole context window, so any prompt plus
    /// that cap is too long.
    /// </summary>
    public bool StopsAtModelLimit => Kind != ProviderKind.OpenAICompatible;

    /// <summary>Sets the provider's own credentials (the destination's, when it has its own) on an outgoing request.</summary>
    public void ApplyCredentials(HttpRequestMessage request, string? destinationPrefix = null)
    {
        // A deployment with a key of its own configured gets it, or none when it was not found (never the provider's).
        var credential = destinationPrefix is not null && _credentialsByPrefix.Count > 0 && _credentialsByPrefix.TryGetValue(destinationPrefix.TrimEnd('/'), out var own)
            ? own
            : _credential;
        if (credential is not null)
        {
            request.Headers.TryAddWithoutValidation(CredentialHeader, credential);
        }
    }

    /// <summary>The header a key goes in: Azure's <c>api-key</c>, else <c>Authorization</c>.</summary>
    private string CredentialHeader => Kind == ProviderKind.AzureOpenAI ? "api-key" : "Authorization";

    /// <summary>The credential header's value for a key, made once (not a "Bearer " concatenation per request).</summary>
    private string? Credential(string? key) => key is null ? null : Kind == ProviderKind.AzureOpenAI ? key : "Bearer " + key;

    public string MapPath(string gatewayPath, string upstreamModel)
    {
        if (Kind != ProviderKind.AzureOpenAI)
        {
            // Only the path decides, and a gateway serves a handful of paths: each is built once, not per request.
            // Bounded, so a client sending made-up paths cannot grow it.
            if (_paths.TryGet(gatewayPath, out var known))
            {
                return known;
            }

            var mapped = Build(gatewayPath, upstreamModel);
            _paths.TryAdd(gatewayPath, mapped);
            return mapped;
        }

        return Build(gatewayPath, upstreamModel);
    }

    /// <summary>How many mapped paths are kept (at most 64).</summary>
    internal int KnownPathCount => _paths.Count;

    private string Build(string gatewayPath, string upstreamModel)
    {
        // "/v1/chat/completions" -> "chat/completions"
        var operation = gatewayPath.StartsWith("/v1/", StringComparison.Ordinal) ? gatewayPath[4..] : gatewayPath.TrimStart('/');
        var basePath = BaseUrl.AbsolutePath;
        return Kind == ProviderKind.AzureOpenAI
            ? $"{basePath}openai/deployments/{Uri.EscapeDataString(upstreamModel)}/{operation}"
            : $"{basePath}{operation}";
    }

    /// <summary>Whether <see cref="AddRequiredQuery"/> adds anything: asked first, because reading a request's query parses it.</summary>
    public bool RequiresQuery => Kind == ProviderKind.AzureOpenAI;

    /// <summary>Query parameters the provider requires on every call (Azure's api-version).</summary>
    public void AddRequiredQuery(IDictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        if (RequiresQuery)
        {
            query["api-version"] = ApiVersion;
        }
    }

    public override string ToString() => $"{Name} ({Kind}, {BaseUrl})";
}
