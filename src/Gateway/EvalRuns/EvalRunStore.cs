using System.Security.Cryptography;
using System.Text.Json;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.EvalRuns;

/// <summary>
/// Evaluation runs, kept beside the prompt they evaluate (same hash tag): a hash of id → run JSON and,
/// per candidate version, a sorted set of ids by time, so the release gate reads one version's runs
/// without scanning the prompt's whole history.
/// </summary>
internal sealed class EvalRunStore(GatewayStore store)
{
    // KEYS: runs hash, version index. ARGV: id, json, score (its time, ms). Refuses an existing id, so a run is never
    // rewritten. A run stored in the same millisecond as the newest (or, with a clock that went back, before it) sorts
    // after it all the same: "newest first" is the order runs were stored in, never the ids' order within a tie.
    private const string AddScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        local score = tonumber(ARGV[3])
        local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        if newest[2] and tonumber(newest[2]) >= score then score = tonumber(newest[2]) + 1 end
        redis.call('ZADD', KEYS[2], score, ARGV[1])
        return 1
        """;

    public static string NewId() => "evr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <returns>False when a run with that id is already stored.</returns>
    public async Task<bool> AddAsync(EvalRun run)
    {
        var keys = store.Keys;
        var added = (int)await store.Database.ScriptEvaluateAsync(
            AddScript,
            [keys.EvalRuns(run.Prompt!), keys.EvalRunsOfVersion(run.Prompt!, run.Candidate!.Version)],
            [run.Id!, JsonSerializer.Serialize(run, GatewayJsonContext.Default.EvalRun), run.CreatedAt!.Value.ToUnixTimeMilliseconds()]);
        return added == 1;
    }

    public async Task<EvalRun?> GetAsync(string prompt, string id)
    {
        var raw = await store.Database.HashGetAsync(store.Keys.EvalRuns(prompt), id);
        return raw.IsNull ? null : Parse(raw!);
    }

    /// <summary>Newest first; of one candidate version when <paramref name="version"/> is given.</summary>
    public async Task<IReadOnlyList<EvalRun>> ListAsync(string prompt, int? version, int limit)
    {
        var db = store.Database;
        var keys = store.Keys;
        if (version is { } v)
        {
            var ids = await db.SortedSetRangeByRankAsync(keys.EvalRunsOfVersion(prompt, v), 0, limit - 1, Order.Descending);
            if (ids.Length == 0)
            {
                return [];
            }

            var values = await db.HashGetAsync(keys.EvalRuns(prompt), ids);
            return [.. values.Where(x => !x.IsNull).Select(x => Parse(x!)).OfType<EvalRun>()];
        }

        // Runs of all versions: the hash is per prompt and small (one entry per CI run), so read it whole.
        var all = await db.HashGetAllAsync(keys.EvalRuns(prompt));
        return [.. all.Select(e => Parse(e.Value!)).OfType<EvalRun>().OrderByDescending(r => r.CreatedAt).Take(limit)];
    }

    /// <summary>Each candidate version's newest run, by version; versions without a run are absent.</summary>
    public async Task<Dictionary<int, EvalRun>> LatestByVersionAsync(string prompt)
    {
        // One read of the prompt's runs hash (small: one entry per CI run) instead of a read per version.
        var all = await store.Database.HashGetAllAsync(store.Keys.EvalRuns(prompt));
        return all.Select(e => Parse(e.Value!))
            .OfType<EvalRun>()
            .Where(r => r.Candidate is not null)
            .GroupBy(r => r.Candidate!.Version)
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.CreatedAt)!);
    }

    private static EvalRun? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, GatewayJsonContext.Default.EvalRun);
        }
        catch (JsonException)
        {
            // A hand-written bad value must not break listing or the gate; it just does not count.
            return null;
        }
    }
}
