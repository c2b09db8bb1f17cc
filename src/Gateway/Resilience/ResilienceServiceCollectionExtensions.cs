using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace LlmGateway.Resilience;

internal static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Retries, fallbacks and circuit breaking: per-provider connect timeouts in YARP's client, a passive health
    /// policy that honours Retry-After, the attempt loop. Call after <c>AddGatewayProxy</c>: it replaces YARP's
    /// client factory, which <c>AddReverseProxy</c> registers.
    /// </summary>
    public static IServiceCollection AddGatewayResilience(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, GatewayHttpClientFactory>());
        services.AddSingleton<DestinationBreakers>();
        services.AddSingleton<IPassiveHealthCheckPolicy, UpstreamHealthPolicy>();
        services.AddSingleton<ResilientForwarder>();
        return services;
    }
}
