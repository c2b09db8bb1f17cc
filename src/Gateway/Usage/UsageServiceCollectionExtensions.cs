namespace LlmGateway.Usage;

internal static class UsageServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayUsage(this IServiceCollection services)
    {
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<UsageQuery>();
        services.AddHostedService<UsageWriter>();
        return services;
    }
}
