using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace LlmGateway.Releases;

internal static class ReleasesServiceCollectionExtensions
{
    private static readonly string[] DefaultEnvironments = ["development", "staging", "production"];
    private static readonly string[] DefaultProtected = ["production"];

    public static IServiceCollection AddGatewayReleases(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReleaseOptions>()
            .Bind(configuration.GetSection(ReleaseOptions.SectionName))
            .PostConfigure(options =>
            {
                if (options.Environments.Length == 0)
                {
                    options.Environments = DefaultEnvironments;
                }

                options.ProtectedEnvironments ??= DefaultProtected;
            })
            .Validate(o => o.Environments.All(e => PromptNames.IsValid(e)), $"Gateway:Releases:Environments: names must match {PromptNames.Pattern}.")
            .Validate(o => o.ProtectedEnvironments!.All(o.IsKnown), "Gateway:Releases:ProtectedEnvironments must all be listed in Environments.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReleaseOptions>, ReleaseOptionsValidator>();

        services.AddSingleton<PromptTemplateAnalyzer>();
        services.AddSingleton<PromptBundleValidator>();
        services.AddSingleton<PromptRegistry>();
        services.AddSingleton<ChangeNotifier>();
        services.AddSingleton<EvalRunStore>();
        services.AddSingleton<IReleaseEvalGate, StoredEvalRunsGate>();
        services.AddSingleton<ReleaseService>();
        services.AddSingleton<ActivationHistory>();
        services.AddSingleton<ReleaseSnapshotProvider>();
        services.AddSingleton<BundlePreparer>();
        services.AddSingleton<PreparedBundleCache>();
        services.AddSingleton<PromptRenderer>();
        services.AddSingleton<PromptRouter>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ReleaseSyncService>();
        services.AddHostedService(sp => sp.GetRequiredService<ReleaseSyncService>());
        return services;
    }
}
