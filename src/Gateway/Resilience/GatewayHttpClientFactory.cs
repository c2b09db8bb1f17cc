using System.Collections.Frozen;
using LlmGateway.Providers;
using LlmGateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace LlmGateway.Resilience;

/// <summary>YARP's client factory, with each provider's connect timeout.</summary>
internal sealed class GatewayHttpClientFactory(ModelCatalog catalog, ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    private readonly FrozenDictionary<string, Provider> _providers = catalog.Providers.Values.ToFrozenDictionary(p => p.ClusterId, StringComparer.Ordinal);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        // YARP's propagator (it first removes what the transforms copied) around one that writes traceparent and
        // tracestate only: not the Activity's baggage, a client's header the provider's allow-list never let through.
        handler.ActivityHeadersPropagator = new ReverseProxyPropagator(TraceContextOnlyPropagator.Instance);
        if (_providers.TryGetValue(context.ClusterId, out var provider))
        {
            handler.ConnectTimeout = provider.Policy.ConnectTimeout;
        }
    }
}
