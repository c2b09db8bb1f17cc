namespace LlmGateway.Routing;

internal static class RoutingServiceCollectionExtensions
{
    /// <summary>The prompt router: a release (or pin) and the sticky arm for each <c>prompt:&lt;name&gt;</c> request.</summary>
    public static IServiceCollection AddGatewayRouting(this IServiceCollection services)
    {
        services.AddSingleton<PinApprovals>();
        services.AddSingleton<PromptRouter>();
        return services;
    }
}
