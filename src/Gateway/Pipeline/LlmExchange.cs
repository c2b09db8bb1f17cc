using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Routing;

namespace LlmGateway.Pipeline;

/// <summary>
/// One request as the gateway decided to serve it, built once by the routing stage and only read
/// after that: who asked, what they sent, where it goes, with which body, and the prompt's token
/// estimate. What happens to it (the model that served, attempts, usage) is an
/// <see cref="ExchangeResult"/>, never written back here.
/// </summary>
internal sealed class LlmExchange
{
    public required string RequestId { get; init; }

    public required GatewayKey Key { get; init; }

    /// <summary>The OpenAI path the client called (<c>/v1/chat/completions</c>, ...).</summary>
    public required string Endpoint { get; init; }

    /// <summary>The client's body as it arrived (pooled; valid until the request ends).</summary>
    public required PooledBuffer ClientBody { get; init; }

    public required RequestScan Scan { get; init; }

    /// <summary>The catalog model the request asked for, or its bundle names; fallbacks may serve instead.</summary>
    public required CatalogModel Model { get; init; }

    /// <summary>The bundle version serving a <c>prompt:</c> request; null for plain model routing.</summary>
    public PromptSelection? Prompt { get; init; }

    /// <summary>The upstream body for each model that may serve (the first one's is built).</summary>
    public required UpstreamBodies Upstream { get; init; }

    /// <summary>The gateway asked the provider for the usage chunk; the client did not, so it is removed from the stream.</summary>
    public bool UsageInjected { get; init; }

    /// <summary>The prompt's token estimate, counted at most once (by the budget or by billing, whichever needs it first).</summary>
    public required PromptTokenEstimate InputEstimate { get; init; }

    /// <summary>
    /// The most output the request can generate, checked against the model's limit: the output cap in
    /// force (the client's, the bundle's, or the catalog's) times the choices asked for.
    /// </summary>
    public required long ReservedOutputTokens { get; init; }

    /// <summary>
    /// The tools the request lets the provider run at a fee per call, and the calls it allows (read once, for a key
    /// with limits only: their fees are reserved).
    /// </summary>
    public Budgets.ProviderToolUse ProviderTools { get; init; } = Budgets.ProviderToolUse.None;

    public bool Stream => Scan.Stream;

    /// <summary>False for pinned versions and bundles that forbid it: only other deployments of the same model may serve.</summary>
    public bool AllowModelFallback { get; init; } = true;
}
