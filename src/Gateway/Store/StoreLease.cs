using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// A lease in the store held by one instance at a time: taken when free or expired, renewed by its holder.
/// The holder that stops renewing loses it after its time-to-live; nobody else can renew or take it before.
/// </summary>
internal sealed class StoreLease(IDatabase database, string key, string holder)
{
    private const string HoldScript = """
        local current = redis.call('GET', KEYS[1])
        if current == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if not current then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """;

    public string Holder { get; } = holder;

    /// <summary>True when this instance holds the lease for the next <paramref name="ttl"/>.</summary>
    public async Task<bool> TryHoldAsync(TimeSpan ttl) =>
        (int)await database.ScriptEvaluateAsync(HoldScript, [key], [Holder, (long)ttl.TotalMilliseconds]) == 1;

    /// <summary>Gives the lease up if this instance holds it, so the next instance need not wait out its time-to-live.</summary>
    public async Task ReleaseAsync() =>
        await database.ScriptEvaluateAsync(ReleaseScript, [key], [Holder]);
}
