using System.Text.Json;
using LlmGateway.Store;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// The last outcome per environment, in the store (<see cref="StoreKeys.RolloutWebhookStatus"/>): written by the
/// instance that delivered it, read by every instance's <c>/readyz</c>. Only the sender lease's holder writes, so a
/// read-then-write is enough.
/// </summary>
internal sealed class RolloutWebhookState(GatewayStore store)
{
    public async Task DeliveredAsync(string environment, DateTimeOffset at)
    {
        var status = await GetAsync(environment);
        await SetAsync(environment, status is null ? new RolloutWebhookStatus(false, at, null) : status with { LastFailed = false, LastDeliveredAt = at });
    }

    public async Task FailedAsync(string environment, RolloutWebhookFailure failure)
    {
        var status = await GetAsync(environment);
        await SetAsync(environment, status is null ? new RolloutWebhookStatus(true, null, failure) : status with { LastFailed = true, LastFailure = failure });
    }

    public async Task<RolloutWebhookStatus?> GetAsync(string environment)
    {
        var json = await store.Database.HashGetAsync(store.Keys.RolloutWebhookStatus, environment);
        return json.IsNullOrEmpty ? null : Read(json!);
    }

    /// <summary>Environments whose last notification failed after every attempt, with that failure.</summary>
    public async Task<IReadOnlyList<(string Environment, RolloutWebhookFailure Failure)>> FailingAsync()
    {
        var all = await store.Database.HashGetAllAsync(store.Keys.RolloutWebhookStatus);
        return [.. all
            .Select(e => (Environment: (string)e.Name!, Status: Read(e.Value!)))
            .Where(e => e.Status is { LastFailed: true, LastFailure: not null })
            .OrderBy(e => e.Environment, StringComparer.Ordinal)
            .Select(e => (e.Environment, e.Status!.LastFailure!))];
    }

    private async Task SetAsync(string environment, RolloutWebhookStatus status) =>
        await store.Database.HashSetAsync(store.Keys.RolloutWebhookStatus, environment, JsonSerializer.Serialize(status, RolloutNotificationsJsonContext.Default.RolloutWebhookStatus));

    // A field that does not read (not written by a gateway) is no status rather than a failing check.
    private static RolloutWebhookStatus? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RolloutNotificationsJsonContext.Default.RolloutWebhookStatus);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
