using LlmGateway.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmGateway.Shadow;

/// <summary>Shadow traffic: the shadow principal and the dispatcher that sends a shadow step's copies.</summary>
internal static class ShadowServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayShadow(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShadowOptions>()
            .Bind(configuration.GetSection(ShadowOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(30), "Gateway:Shadow:Timeout is more than 0 and at most 30 minutes.")
            .ValidateOnStart();
        services.AddSingleton<ShadowPrincipal>();
        services.TryAddSingleton<InProcessApplication>(); // the copies' way in; GatewayApp wraps the server that feeds it
        services.AddSingleton<ShadowDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ShadowDispatcher>());
        return services;
    }
}
