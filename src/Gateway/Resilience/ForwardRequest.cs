using LlmGateway.Pipeline;
using LlmGateway.Streaming;

namespace LlmGateway.Resilience;

/// <summary>What the forwarder needs from the proxy to send one request, to any candidate model.</summary>
/// <param name="Exchange">The request (its upstream bodies, first model and fallback policy).</param>
/// <param name="NewTap">A fresh response tap for each attempt, given its timer and the statuses to hold back.</param>
internal sealed record ForwardRequest(LlmExchange Exchange, Func<AttemptTimer, IReadOnlySet<int>, ResponseTap> NewTap);
