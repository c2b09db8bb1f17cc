using System.Text.Json;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Rollouts;

/// <summary>
/// Rollouts in the store: one hash per prompt and environment (the rollout's JSON, its revision and the highest
/// fencing token that wrote it), and an index of the active ones. Every write is a compare-and-swap on the
/// revision that also refuses a token older than the last writer's, so a deposed leader cannot act.
/// </summary>
internal sealed class RolloutStore(GatewayStore store)
{
    // KEYS: rollout. ARGV: expected revision, json, fencing token ('' for an operator's write, which any
    // leader's token admits: manual control always wins).
    // Returns 1 written, 0 revision moved on, -1 a newer leader has written.
    private const string WriteScript = """
        local revision = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
        if revision ~= tonumber(ARGV[1]) then return 0 end
        local fence = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
        local token = fence
        if ARGV[3] ~= '' then token = tonumber(ARGV[3]) end
        if token < fence then return -1 end
        if token > fence then fence = token end
        redis.call('HSET', KEYS[1], 'json', ARGV[2], 'revision', revision + 1, 'fence', fence)
        return 1
        """;

    public async Task<RolloutView?> GetAsync(string prompt, string environment)
    {
        var json = await store.Database.HashGetAsync(store.Keys.Rollout(prompt, environment), "json");
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)json!, GatewayJsonContext.Default.RolloutView);
    }

    /// <summary>Writes <paramref name="next"/> (its revision one above <paramref name="expectedRevision"/>); false when another writer got there first.</summary>
    /// <param name="fencingToken">The controller's token; null for an operator's change.</param>
    public async Task<bool> TryWriteAsync(RolloutView next, long expectedRevision, long? fencingToken)
    {
        var json = JsonSerializer.Serialize(next with { Revision = expectedRevision + 1 }, GatewayJsonContext.Default.RolloutView);
        var member = Member(next.Prompt, next.Environment);
        var active = RolloutStatuses.IsActive(next.Status);
        // The index is its own slot (Redis Cluster), so it cannot be in the write's script: an active rollout is
        // added before the write (never written yet unlisted) and again after it (so an ended rollout's removal,
        // racing with it, cannot leave it out); an ended one is removed after, then put back if a new rollout was
        // written meanwhile. A member left behind is dropped by the controller's next look (RolloutController).
        if (active)
        {
            await store.Database.SetAddAsync(store.Keys.RolloutIndex, member);
        }

        var result = (int)await store.Database.ScriptEvaluateAsync(
            WriteScript,
            [store.Keys.Rollout(next.Prompt, next.Environment)],
            [expectedRevision, json, fencingToken?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""]);
        if (result == 1)
        {
            if (active)
            {
                await store.Database.SetAddAsync(store.Keys.RolloutIndex, member);
            }
            else
            {
                await UnlistUnlessActiveAsync(next.Prompt, next.Environment);
            }
        }

        return result == 1;
    }

    /// <summary>
    /// Takes an ended rollout out of the index, unless the rollout stored there now is active: one started since
    /// (its own index add may have come before this removal) stays listed, or the controller would never judge it.
    /// </summary>
    internal async Task UnlistUnlessActiveAsync(string prompt, string environment)
    {
        var member = Member(prompt, environment);
        await store.Database.SetRemoveAsync(store.Keys.RolloutIndex, member);
        if (await GetAsync(prompt, environment) is { } current && RolloutStatuses.IsActive(current.Status))
        {
            await store.Database.SetAddAsync(store.Keys.RolloutIndex, member);
        }
    }

    private static string Member(string prompt, string environment) => prompt + "|" + environment;

    public async Task<IReadOnlyList<(string Prompt, string Environment)>> ListActiveAsync()
    {
        var members = await store.Database.SetMembersAsync(store.Keys.RolloutIndex);
        var active = new List<(string, string)>(members.Length);
        foreach (var member in members)
        {
            var text = (string)member!;
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0)
            {
                active.Add((text[..bar], text[(bar + 1)..]));
            }
        }

        return active;
    }
}
