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

    /// <summary>
    /// The most a stored run may weigh, as JSON: a run is a summary (its metrics, datasets and counts, a few KB), and
    /// a 1 MB one posted in a loop made every listing of the prompt's runs read gigabytes.
    /// </summary>
    public const int MaxRunBytes = 64 * 1024;

    /// <summary>The run as stored: serialized once, measured against <see cref="MaxRunBytes"/> and then written as is.</summary>
    public static byte[] Serialize(EvalRun run) => JsonSerializer.SerializeToUtf8Bytes(run, GatewayJsonContext.Default.EvalRun);

    /// <param name="serialized">The run's <see cref="Serialize"/>d bytes when the caller has them already.</param>
    /// <returns>False when a run with that id is already stored.</returns>
    public async Task<bool> AddAsync(EvalRun run, byte[]? serialized = null)
    {
        var keys = store.Keys;
        var added = (int)await store.Database.ScriptEvaluateAsync(
            AddScript,
            [keys.EvalRuns(run.Prompt!), keys.EvalRunsOfVersion(run.Prompt!, run.Candidate!.Version)],
            [run.Id!, serialized ?? Serialize(run), run.CreatedAt!.Value.ToUnixTimeMilliseconds()]);
        return added == 1;
    }

    public async Task<EvalRun?> GetAsync(string prompt, string id)
    {
        var raw = await store.Database.HashGetAsync(store.Keys.EvalRuns(prompt), id);
        return raw.IsNull ? null : Parse(raw!);
    }

    /// <summary>
    /// Newest first, in the order stored (the release gate's order, not <c>created_at</c>'s); of one candidate version
    /// when <paramref name="version"/> is given.
    /// </summary>
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

        return [.. (await NewestAsync(prompt, limit, limit)).Take(limit).Select(x => x.Run)];
    }

    /// <summary>
    /// Each candidate version's newest run, by version; versions without a run are absent. "Newest" is the gate's:
    /// the top of the version's sorted set, the order the runs were stored in, whatever the posting instances' clocks.
    /// </summary>
    public async Task<Dictionary<int, EvalRun>> LatestByVersionAsync(string prompt)
    {
        var latest = new Dictionary<int, EvalRun>();
        foreach (var (run, score) in await NewestAsync(prompt, 1, overall: null))
        {
            // A run in no index (written by hand, read whole without a version count) is not one the gate reads.
            if (run.Candidate is { } candidate && score > double.NegativeInfinity)
            {
                latest.TryAdd(candidate.Version, run);
            }
        }

        return latest;
    }

    /// <summary>
    /// The newest <paramref name="perVersion"/> runs of each candidate version, newest first by their scores in their
    /// versions' sorted sets (within a version the order stored, as the gate reads it; across versions, ties by
    /// <c>created_at</c>, the clock of whichever instance took the POST). Reads at most that many runs per version, never
    /// the prompt's whole history: a listing with <c>limit</c> 1 read every run ever posted. A run in no version's set
    /// (written into the store by hand) is not one the gate reads, and is not listed, unless the prompt has no version
    /// count at all (runs written by hand for a prompt never pushed), when its runs are read whole.
    /// </summary>
    /// <param name="overall">At most this many runs in all are wanted (a listing's limit); null: every version's newest.</param>
    private async Task<List<(EvalRun Run, double Score)>> NewestAsync(string prompt, int perVersion, int? overall)
    {
        var db = store.Database;
        var keys = store.Keys;
        var sequence = await db.StringGetAsync(keys.PromptSequence(prompt));
        var versions = sequence.TryParse(out long last) ? (int)Math.Clamp(last, 0, int.MaxValue) : 0;
        if (versions == 0)
        {
            // No version was ever pushed through the registry (runs written into the store by hand): no version count
            // to walk, so the prompt's runs are read whole, as they always were.
            return await StoredOrderAsync(prompt);
        }

        var batch = db.CreateBatch();
        var reads = new Task<SortedSetEntry[]>[versions];
        for (var v = 1; v <= versions; v++)
        {
            reads[v - 1] = batch.SortedSetRangeByRankWithScoresAsync(keys.EvalRunsOfVersion(prompt, v), 0, perVersion - 1, Order.Descending);
        }

        batch.Execute();
        var indexed = new List<(int Version, RedisValue Id, double Score)>();
        for (var v = 1; v <= versions; v++)
        {
            foreach (var entry in await reads[v - 1])
            {
                indexed.Add((v, entry.Element, entry.Score));
            }
        }

        if (indexed.Count == 0)
        {
            return [];
        }

        if (overall is { } most && indexed.Count > most)
        {
            // Only the newest `most` across the versions are read (and those tied with the last of them, for the
            // created_at order among equal scores), not every version's `perVersion`.
            indexed.Sort((a, b) => b.Score.CompareTo(a.Score));
            var cut = indexed[most - 1].Score;
            indexed = [.. indexed.TakeWhile(x => x.Score >= cut)];
        }

        var values = await db.HashGetAsync(keys.EvalRuns(prompt), [.. indexed.Select(x => x.Id)]);
        var runs = new List<(EvalRun Run, double Score)>(indexed.Count);
        for (var i = 0; i < values.Length; i++)
        {
            // A run in its version's set is that version's (the add script writes both); a value that does not read, or
            // one rewritten by hand under another version, does not count.
            if (!values[i].IsNull && Parse(values[i]!) is { Candidate: { } candidate } run && candidate.Version == indexed[i].Version)
            {
                runs.Add((run, indexed[i].Score));
            }
        }

        return [.. runs.OrderByDescending(x => x.Score).ThenByDescending(x => x.Run.CreatedAt)];
    }

    /// <summary>
    /// Every run of the prompt, newest first by its score in its version's sorted set: within a version that is the
    /// order stored, as the gate reads it. A run's <c>created_at</c> is the clock of whichever instance took the POST,
    /// so with instance clocks apart it can put a later run first. A run in no version's set (written by hand) comes last.
    /// </summary>
    private async Task<List<(EvalRun Run, double Score)>> StoredOrderAsync(string prompt)
    {
        var db = store.Database;
        var keys = store.Keys;
        // One read of the prompt's runs hash (small: one entry per CI run), then one of each version's index.
        var runs = (await db.HashGetAllAsync(keys.EvalRuns(prompt)))
            .Select(e => Parse(e.Value!))
            .OfType<EvalRun>()
            .ToList();
        var versions = runs.Where(r => r.Candidate is not null).Select(r => r.Candidate!.Version).Distinct().ToList();
        var indexes = await Task.WhenAll(versions.Select(v => db.SortedSetRangeByRankWithScoresAsync(keys.EvalRunsOfVersion(prompt, v))));
        var scores = new Dictionary<(int Version, string Id), double>();
        for (var i = 0; i < versions.Count; i++)
        {
            foreach (var entry in indexes[i])
            {
                scores[(versions[i], (string)entry.Element!)] = entry.Score;
            }
        }

        return [.. runs
            .Select(r => (Run: r, Score: r.Candidate is { } c && r.Id is { } id && scores.TryGetValue((c.Version, id), out var score) ? score : double.NegativeInfinity))
            .OrderByDescending(x => x.Score)
            .ThenByDescending(x => x.Run.CreatedAt)];
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
