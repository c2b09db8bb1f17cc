using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// <c>rollout-webhooks</c> in <c>/readyz</c>: Healthy without webhooks or when each environment's last notification was
/// delivered; Degraded (never Unhealthy: a webhook must not take the gateway out of rotation) with
/// <c>{environment: last failure}</c> when one failed after every attempt.
/// </summary>
internal sealed class RolloutWebhooksHealthCheck(RolloutWebhookTargets targets, RolloutWebhookState state) : IHealthCheck
{
    public const string Name = "rollout-webhooks";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (targets.All.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no rollout webhooks configured"));
        }

        var failing = state.Failing().Where(f => targets.TryGet(f.Environment, out _)).ToList();
        if (failing.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"rollout webhooks for {string.Join(", ", targets.All.Select(t => t.Environment))}: no failed delivery"));
        }

        var data = failing.ToDictionary(f => f.Environment, f => (object)f.Failure.ToString(), StringComparer.OrdinalIgnoreCase);
        return Task.FromResult(HealthCheckResult.Degraded(
            "rollout webhook delivery failing: " + string.Join("; ", failing.Select(f => $"{f.Environment}: {f.Failure}")),
            data: data));
    }
}
