using LlmGateway.Pipeline;
using LlmGateway.Providers;
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
        services.AddSingleton<KeyConcurrencyLimiter>();

        // Kestrel refuses bodies past its own limit (30,000,000 bytes by default) while they are read, with its own
        // message: a MaxRequestBodyBytes above that would not be the limit in force. Raised to it; a lower one is
        // enforced by the admission stage before reading, with the OpenAI error shape.
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<ProxyOptions>>((kestrel, proxy) =>
            {
                if (kestrel.Limits.MaxRequestBodySize is { } current && current < proxy.Value.MaxRequestBodyBytes)
                {
                    kestrel.Limits.MaxRequestBodySize = proxy.Value.MaxRequestBodyBytes;
                }
            });

        services.AddSingleton<IProxyConfigProvider, ProviderProxyConfigProvider>();
        services.AddReverseProxy()
            .AddTransforms(ProviderRequestTransform.Configure);
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReverseProxy(pipeline =>
        {
            pipeline.UseGatewayStages();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return endpoints;
    }
}
