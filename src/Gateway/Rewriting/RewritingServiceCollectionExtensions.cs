namespace LlmGateway.Rewriting;

internal static class RewritingServiceCollectionExtensions
{
    /// <summary>Stored bundles prepared once (templates parsed, params pre-serialised) and rendered per request.</summary>
    public static IServiceCollection AddGatewayRewriting(this IServiceCollection services)
    {
        services.AddSingleton<BundlePreparer>();
        services.AddSingleton<PreparedBundleCache>();
        services.AddSingleton<PromptRenderer>();
        return services;
    }
}
