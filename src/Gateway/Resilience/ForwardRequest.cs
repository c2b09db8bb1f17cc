using LlmGateway.Proxy;
using LlmGateway.Providers;
using LlmGateway.Streaming;

namespace LlmGateway.Resilience;

/// <summary>What the forwarder needs from the proxy to send one request, to any candidate model.</summary>
/// <param name="BodyFor">The upstream body for a model (the first one's is ready; fallbacks' are built on demand).</param>
/// <param name="NewTap">A fresh response tap for each attempt, given its timer and the statuses to hold back.</param>
/// <param name="AllowModelFallback">False for pinned versions and bundles that forbid it: only other deployments of the same model may serve.</param>
internal sealed record ForwardRequest(
    GatewayRequestFeature Request,
    Func<CatalogModel, PooledBuffer> BodyFor,
    Func<AttemptTimer, IReadOnlySet<int>, ResponseTap> NewTap,
    bool AllowModelFallback);
