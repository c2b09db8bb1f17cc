using LlmGateway.Rollouts.Notifications;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmGateway.Rollouts;

/// <summary>Progressive delivery: plans, the rollout store and service, the controller in every instance, and the API.</summary>
internal static class RolloutsServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayRollouts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RolloutOptions>()
            .Bind(configuration.GetSection(RolloutOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Interval >= TimeSpan.FromMilliseconds(100) && o.LeaseTtl > o.Interval,
                "Gateway:Rollouts: Interval at least 100 ms, and LeaseTtl longer than Interval (a leader renews its lease every look).")
            .ValidateOnStart();
        services.AddSingleton<RolloutStore>();
        services.AddSingleton<RolloutService>();
        services.AddSingleton<RolloutReadings>();
        services.AddSingleton<RolloutController>();
        services.AddSingleton<OrphanedCanarySweep>();
        services.AddRolloutNotifications(configuration);
        services.TryAddSingleton<IRolloutNotifier, LoggingRolloutNotifier>();
        services.AddSingleton<RolloutControllerService>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutControllerService>());
        return services;
    }
}
