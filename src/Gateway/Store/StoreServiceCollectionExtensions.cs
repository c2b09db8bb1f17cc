using Microsoft.Extensions.Options;

namespace LlmGateway.Store;

internal static class StoreServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>()
            .Bind(configuration.GetSection(StoreOptions.SectionName))
            .PostConfigure(options =>
            {
                if (string.IsNullOrWhiteSpace(options.Configuration))
                {
                    options.Configuration = configuration["REDIS_URL"];
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        services.AddSingleton<IValidateOptions<StoreOptions>, EmbeddedStoreSizesValidator>();

        services.AddSingleton<GatewayStore>();
        services.AddSingleton<ChangeNotifier>();
        services.AddHostedService<StoreStartupService>();
        services.AddHostedService<EmbeddedStoreWatchdog>();
        return services;
    }
}
