using System.Collections.Concurrent;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>The last outcome per environment in this process, for <c>/readyz</c>.</summary>
internal sealed class RolloutWebhookState
{
    private readonly ConcurrentDictionary<string, RolloutWebhookStatus> _environments = new(StringComparer.OrdinalIgnoreCase);

    public void Delivered(string environment, DateTimeOffset at) =>
        _environments.AddOrUpdate(environment, static (_, at) => new RolloutWebhookStatus(false, at, null), static (_, status, at) => status with { LastFailed = false, LastDeliveredAt = at }, at);

    public void Failed(string environment, RolloutWebhookFailure failure) =>
        _environments.AddOrUpdate(environment, static (_, failure) => new RolloutWebhookStatus(true, null, failure), static (_, status, failure) => status with { LastFailed = true, LastFailure = failure }, failure);

    public RolloutWebhookStatus? Get(string environment) => _environments.GetValueOrDefault(environment);

    /// <summary>Environments whose last notification failed after every attempt, with that failure.</summary>
    public IReadOnlyList<(string Environment, RolloutWebhookFailure Failure)> Failing() =>
        [.. _environments
            .Where(e => e.Value is { LastFailed: true, LastFailure: not null })
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => (e.Key, e.Value.LastFailure!))];
}
