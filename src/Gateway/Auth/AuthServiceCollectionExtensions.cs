using Microsoft.Extensions.Options;

namespace LlmGateway.Auth;

internal static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .Validate<IServiceProvider>(
                (o, services) => !o.DevKey.Enabled || services.GetService<Hosting.DemoModeMarker>() is not null,
                "Gateway:Auth:DevKey can only be enabled in demo mode (--demo): it is a published key.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<GatewayKeyStore>();
        services.AddSingleton<GatewayKeyAuthenticator>();
        services.AddHostedService<DevKeySeeder>();

        // Admin tokens issued through the admin API (the registry itself is the admin API's, with the configured ones).
        services.AddSingleton<AdminTokenStore>();
        services.AddHostedService<AdminTokenSyncService>();
        return services;
    }
}
