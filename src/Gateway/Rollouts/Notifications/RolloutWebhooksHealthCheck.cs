using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// <c>rollout-webhooks</c> in <c>/readyz</c>: Healthy without webhooks or when each environment's last notification was
/// delivered; Degraded (never Unhealthy: a webhook must not take the gateway out of rotation) with
/// <c>{environment: last failure}</c> when one failed after every attempt at the URL configured now, whichever instance
/// sent it (the outcomes are in the store), or when the store cannot say.
/// </summary>
internal sealed class RolloutWebhooksHealthCheck(RolloutWebhookTargets targets, RolloutWebhookState state) : IHealthCheck
{
    public const string Name = "rollout-webhooks";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (targets.All.Count == 0)
        {
            return HealthCheckResult.Healthy("no rollout webhooks configured");
        }

        IReadOnlyList<(string Environment, RolloutWebhookFailure Failure)> all;
        try
        {
            all = await state.FailingAsync().WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded($"rollout webhook outcomes unreadable: the store did not answer ({exception.GetType().Name})");
        }

        // A failure at a URL the configuration has since replaced says nothing of the webhook now (a fixed URL would
        // otherwise stay Degraded until the environment's next decision).
        var failing = all.Where(f => targets.TryGet(f.Environment, out var target) && (f.Failure.Target is null || f.Failure.Target == target.Fingerprint)).ToList();
        if (failing.Count == 0)
        {
            return HealthCheckResult.Healthy($"rollout webhooks for {string.Join(", ", targets.All.Select(t => t.Environment))}: no failed delivery");
        }

        var data = failing.ToDictionary(f => f.Environment, f => (object)f.Failure.ToString(), StringComparer.OrdinalIgnoreCase);
        return HealthCheckResult.Degraded(
            "rollout webhook delivery failing: " + string.Join("; ", failing.Select(f => $"{f.Environment}: {f.Failure}")),
            data: data);
    }
}
