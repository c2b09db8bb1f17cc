using LlmGateway.Pipeline;
using LlmGateway.Streaming;

namespace LlmGateway.Resilience;

/// <summary>
/// What the forwarder needs from the proxy to send one request, to any candidate model, and how to tap each
/// attempt's response. A value, not a tap factory closure: the forwarder makes each attempt's tap itself.
/// </summary>
/// <param name="Exchange">The request (its upstream bodies, first model and fallback policy).</param>
/// <param name="StripUsageChunk">The gateway asked for <c>include_usage</c>, the client did not: each tap drops the usage-only chunk.</param>
/// <param name="HoldJson">Each tap holds a non-streamed JSON body until the response ends, so its usage can go in headers.</param>
/// <param name="OnNewTap">Told of each attempt's fresh tap before it is used (a sampled request starts its copy); null: nothing to do.</param>
internal readonly record struct ForwardRequest(LlmExchange Exchange, bool StripUsageChunk, bool HoldJson, Action<ResponseTap>? OnNewTap = null);
