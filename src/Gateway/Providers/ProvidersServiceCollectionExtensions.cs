using Microsoft.Extensions.Options;

namespace LlmGateway.Providers;

internal static class ProvidersServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CatalogOptions>()
            .Bind(configuration.GetSection(CatalogOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CatalogOptions>, CatalogOptionsValidator>();
        services.AddSingleton<ModelCatalog>();
        return services;
    }
}
