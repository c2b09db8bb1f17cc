using Microsoft.Extensions.Options;

namespace LlmGateway.Rewriting;

internal static class RewritingServiceCollectionExtensions
{
    /// <summary>Stored bundles prepared once (templates parsed, params pre-serialised) and rendered per request.</summary>
    public static IServiceCollection AddGatewayRewriting(this IServiceCollection services)
    {
        services.AddOptions<TemplateLimitsOptions>()
            .BindConfiguration(TemplateLimitsOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TemplateLimitsOptions>, TemplateLimitsOptionsValidator>();
        services.AddSingleton<TemplateLimits>();
        services.AddSingleton<BundlePreparer>();
        services.AddSingleton<PreparedBundleCache>();
        services.AddSingleton<PromptRenderer>();
        return services;
    }
}
