using LlmGateway.Prompts;
using Microsoft.Extensions.Options;

namespace LlmGateway.Releases;

internal static class ReleasesServiceCollectionExtensions
{
    private static readonly string[] DefaultEnvironments = ["development", "staging", "production"];
    private static readonly string[] DefaultProtected = ["production"];

    /// <summary>
    /// Releases per prompt × environment: options, compare-and-swap changes with history, the eval gate, and the
    /// in-process snapshot kept fresh by <see cref="ReleaseSyncService"/>. Needs the store, prompts and eval runs.
    /// </summary>
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

        services.AddSingleton<IReleaseEvalGate, StoredEvalRunsGate>();
        services.AddSingleton<ReleaseService>();
        services.AddSingleton<ActivationHistory>();
        services.AddSingleton<ReleaseSnapshotProvider>();
        services.AddSingleton<ReleaseSyncService>();
        services.AddHostedService(sp => sp.GetRequiredService<ReleaseSyncService>());
        return services;
    }
}
