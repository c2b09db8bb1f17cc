using LlmGateway.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>Rollout decision webhooks per environment (<c>Gateway:Rollouts:Webhooks:&lt;environment&gt;</c>), their outbox in the store, their sender and their <c>/readyz</c> check.</summary>
internal static class RolloutNotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddRolloutNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RolloutWebhooksOptions>()
            .Configure(o => configuration.GetSection(RolloutWebhooksOptions.SectionName).Bind(o.Environments))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RolloutWebhooksOptions>, RolloutWebhooksOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RolloutWebhookMetrics>();
        services.TryAddSingleton<RolloutWebhookState>();
        services.TryAddSingleton<RolloutWebhookOutbox>();
        services.TryAddSingleton<RolloutWebhookTargets>();
        services.TryAddSingleton<RolloutWebhookDeliverer>();
        services.TryAddSingleton<IRolloutNotifier, WebhookRolloutNotifier>();
        services.AddHostedService<RolloutWebhookSender>();
        services.AddHealthChecks()
            .AddCheck<RolloutWebhooksHealthCheck>(RolloutWebhooksHealthCheck.Name, failureStatus: HealthStatus.Degraded, tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
