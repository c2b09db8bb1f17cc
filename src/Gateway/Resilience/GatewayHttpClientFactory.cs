using System.Collections.Frozen;
using LlmGateway.Providers;
using Yarp.ReverseProxy.Forwarder;

namespace LlmGateway.Resilience;

/// <summary>YARP's client factory, with each provider's connect timeout.</summary>
internal sealed class GatewayHttpClientFactory(ModelCatalog catalog, ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    private readonly FrozenDictionary<string, Provider> _providers = catalog.Providers.Values.ToFrozenDictionary(p => p.ClusterId, StringComparer.Ordinal);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (_providers.TryGetValue(context.ClusterId, out var provider))
        {
            handler.ConnectTimeout = provider.Policy.ConnectTimeout;
        }
    }
}
