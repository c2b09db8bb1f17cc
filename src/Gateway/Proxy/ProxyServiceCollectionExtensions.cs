using LlmGateway.Providers;
using LlmGateway.Resilience;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace LlmGateway.Proxy;

internal static class ProxyServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>()
            .Bind(configuration.GetSection(ProxyOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();

        services.AddSingleton<IProxyConfigProvider, ProviderProxyConfigProvider>();
        services.AddReverseProxy()
            .AddTransforms(context =>
            {
                context.AddRequestTransform(ProviderRequestTransform.ApplyAsync);
                context.AddResponseTransform(ProviderRequestTransform.ApplyResponseAsync);
            });

        // Retries, fallbacks and circuit breaking (Resilience/): per-provider connect timeouts in
        // YARP's client, a passive health policy that honours Retry-After, the attempt loop.
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, GatewayHttpClientFactory>());
        services.AddSingleton<DestinationBreakers>();
        services.AddSingleton<IPassiveHealthCheckPolicy, UpstreamHealthPolicy>();
        services.AddSingleton<ResilientForwarder>();
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<GatewayRequestMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return endpoints;
    }
}
