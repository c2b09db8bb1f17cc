using LlmGateway.Auth;
using LlmGateway.Providers;
using LlmGateway.Routing;

namespace LlmGateway.Proxy;

/// <summary>What the gateway decided about one request; read by transforms and later stages.</summary>
internal sealed class GatewayRequestFeature(string requestId, GatewayKey key, CatalogModel model, bool stream, PromptSelection? prompt, bool usageInjected)
{
    private Accounting.PromptTokenEstimate? _inputEstimate;

    public string RequestId { get; } = requestId;

    public GatewayKey Key { get; } = key;

    /// <summary>
    /// The catalog model the request goes to (the bundle's, for prompt requests); during and after
    /// forwarding, the one serving it (a fallback, when the first could not).
    /// </summary>
    public CatalogModel Model { get; set; } = model;

    /// <summary>The model the request asked for (or its bundle named), before any fallback.</summary>
    public CatalogModel RequestedModel { get; } = model;

    /// <summary>Upstream attempts so far, every model included.</summary>
    public int Attempts { get; set; }

    public bool Stream { get; } = stream;

    /// <summary>The bundle version serving a <c>prompt:</c> request; null for plain model routing.</summary>
    public PromptSelection? Prompt { get; } = prompt;

    /// <summary>The gateway asked the provider for the usage chunk; the client did not, so it is removed from the stream.</summary>
    public bool UsageInjected { get; } = usageInjected;

    /// <summary>
    /// The prompt's token estimate, computed at most once (by the budget or by billing, whichever needs
    /// it first). The middleware sets it from the upstream body; unset, it estimates an empty prompt.
    /// </summary>
    public Accounting.PromptTokenEstimate InputEstimate
    {
        get => _inputEstimate ??= new(ReadOnlyMemory<byte>.Empty, Accounting.TokenizerRegistry.O200k);
        init => _inputEstimate = value;
    }
}
