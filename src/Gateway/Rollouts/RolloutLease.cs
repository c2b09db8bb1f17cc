using LlmGateway.Store;

namespace LlmGateway.Rollouts;

/// <summary>
/// The lease one instance holds on one rollout, with a fencing token: a new holder gets a token larger than every
/// earlier one, and the rollout store refuses writes carrying an older token. A holder renews it on every look.
/// </summary>
internal sealed class RolloutLease(GatewayStore store, string holder)
{
    // KEYS: lease, fence sequence, rollout. ARGV: holder, ttl ms. Returns the token held, or 0 when another instance
    // holds it. A new token is above the rollout's own fence too: the sequence may have been lost (evicted, or deleted
    // by hand), and a token below the fence would have every write of the new leader refused, the rollout unjudged.
    // And the fence is raised to it at once: a deposed leader still finishing a look must have its rollout writes (a
    // pause, a held continue) refused from now on, not only once the new leader's first write lands.
    private const string Script = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local bar = string.find(current, '|', 1, true)
          if string.sub(current, 1, bar - 1) == ARGV[1] then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return tonumber(string.sub(current, bar + 1))
          end
          return 0
        end
        local token = redis.call('INCR', KEYS[2])
        local fence = tonumber(redis.call('HGET', KEYS[3], 'fence') or '0')
        if token <= fence then
          token = fence + 1
          redis.call('SET', KEYS[2], token)
        end
        if redis.call('EXISTS', KEYS[3]) == 1 then
          redis.call('HSET', KEYS[3], 'fence', token)
        end
        redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
        return token
        """;

    public string Holder { get; } = holder;

    /// <summary>The fencing token while this instance holds the rollout's lease; 0 when another does.</summary>
    public async Task<long> TryHoldAsync(string prompt, string environment, TimeSpan ttl) =>
        (long)await store.Database.ScriptEvaluateAsync(
            Script,
            [store.Keys.RolloutLease(prompt, environment), store.Keys.RolloutFenceSequence(prompt, environment), store.Keys.Rollout(prompt, environment)],
            [Holder, (long)ttl.TotalMilliseconds]);
}
