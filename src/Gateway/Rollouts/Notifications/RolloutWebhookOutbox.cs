using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// Each environment's undelivered notifications, in the store: a list, oldest first, bounded at
/// <see cref="RolloutWebhookTarget.QueueCapacity"/> (the oldest are dropped past it). A notification stays in it until it
/// is delivered or has failed every attempt, so one queued by an instance that then dies is sent by another.
/// </summary>
internal sealed class RolloutWebhookOutbox(GatewayStore store)
{
    // KEYS: outbox. ARGV: notification, capacity. Returns the notifications dropped to make room (oldest first).
    private const string EnqueueScript = """
        local length = redis.call('RPUSH', KEYS[1], ARGV[1])
        local over = length - tonumber(ARGV[2])
        if over <= 0 then return {} end
        local dropped = redis.call('LRANGE', KEYS[1], 0, over - 1)
        redis.call('LTRIM', KEYS[1], over, -1)
        return dropped
        """;

    /// <summary>Appends <paramref name="notification"/>; returns what was dropped to keep the list within its bound.</summary>
    public async Task<byte[][]> EnqueueAsync(string environment, byte[] notification)
    {
        var dropped = (RedisResult[])(await store.Database.ScriptEvaluateAsync(
            EnqueueScript, [store.Keys.RolloutWebhookOutbox(environment)], [notification, RolloutWebhookTarget.QueueCapacity]))!;
        return [.. dropped.Select(d => (byte[])d!)];
    }

    /// <summary>The oldest notification, or null when there is none.</summary>
    public async Task<byte[]?> PeekAsync(string environment)
    {
        var head = await store.Database.ListGetByIndexAsync(store.Keys.RolloutWebhookOutbox(environment), 0);
        return head.IsNull ? null : (byte[])head!;
    }

    /// <summary>Removes a notification that was handled (each carries its own id, so it is the only one equal to itself).</summary>
    public Task RemoveAsync(string environment, byte[] notification) =>
        store.Database.ListRemoveAsync(store.Keys.RolloutWebhookOutbox(environment), notification, count: 1);

    /// <summary>The lease that makes one instance at a time the sender of <paramref name="environment"/>'s notifications, in order.</summary>
    public StoreLease SenderLease(string environment, string holder) =>
        new(store.Database, store.Keys.RolloutWebhookSenderLease(environment), holder);
}
