using StackExchange.Redis;

namespace LlmGateway.Sampling.Queue;

/// <summary>
/// The keys of one queue. They share one hash tag (<c>{q:name}</c>) so every script, which
/// touches several of them, stays valid on Redis Cluster.
/// </summary>
internal sealed class WorkQueueKeys
{
    public WorkQueueKeys(string prefix, string name)
    {
        // A brace in either part would move or break the hash tag and split the queue across slots.
        if (string.IsNullOrEmpty(prefix) || prefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("The key prefix must be non-empty and free of '{' and '}'.", nameof(prefix));
        }

        if (string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("The queue name must be non-empty and free of '{' and '}'.", nameof(name));
        }

        var tag = $"{prefix}:{{q:{name}}}";
        Ready = tag + ":ready";
        InFlight = tag + ":inflight";
        Attempts = tag + ":attempts";
        Receipts = tag + ":receipts";
        Dead = tag + ":dead";
    }

    /// <summary>List of ids waiting: LPUSH to enqueue, RPOP to claim, so it is FIFO.</summary>
    public RedisKey Ready { get; }

    /// <summary>Sorted set of claimed ids, scored by the claim's deadline (unix ms).</summary>
    public RedisKey InFlight { get; }

    /// <summary>Hash of id to the number of claims so far.</summary>
    public RedisKey Attempts { get; }

    /// <summary>Hash of id to the receipt of its current claim.</summary>
    public RedisKey Receipts { get; }

    /// <summary>List of ids that ran out of attempts, newest at the head.</summary>
    public RedisKey Dead { get; }
}
