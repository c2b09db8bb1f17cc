using System.Text.Json;
using LlmGateway.Contracts.Releases;
using LlmGateway.Serialization;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using StackExchange.Redis;

namespace LlmGateway.Releases;

/// <summary>
/// Reads the append-only activation history and answers "what was active at T". External changes it records
/// are counted on <c>gateway.release.activations</c> when metrics are given (the evaluator process has no gateway instruments).
/// </summary>
internal sealed class ActivationHistory(GatewayStore store, TimeProvider time, GatewayMetrics? metrics = null)
{
    // KEYS: release, logged, history, env history. ARGV: observed value, event, score.
    private const string RecordExternalChangeScript = """
        local current = redis.call('GET', KEYS[1])
        if (current or '') ~= ARGV[1] then return 0 end
        if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then return 0 end
        redis.call('SET', KEYS[2], ARGV[1])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
        redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Events oldest first, from the environment's own log when one is named. With more than
    /// <paramref name="limit"/> in range, the newest are kept (with a <paramref name="from"/>, the earliest).
    /// </summary>
    public async Task<IReadOnlyList<ActivationEvent>> ListAsync(string prompt, string? environment, DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        var key = environment is null ? store.Keys.History(prompt) : store.Keys.EnvironmentHistory(prompt, environment);
        var newestFirst = from is null;
        var start = from?.ToUnixTimeMilliseconds() ?? double.NegativeInfinity;
        var stop = to?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity;
        var values = await store.Database.SortedSetRangeByScoreAsync(
            key,
            newestFirst ? stop : start,
            newestFirst ? start : stop,
            Exclude.None,
            newestFirst ? Order.Descending : Order.Ascending,
            0,
            limit + SameMillisecondLookback);
        // Scored by the millisecond: events of the same millisecond come back in member order, so a limit falling inside
        // one could keep an earlier event and drop a later one. Read a few past the limit, put them in the order they
        // happened by their own time (a stable sort), and keep the limit's newest (or earliest) of them.
        var events = values.Select(v => Parse(v!)).OrderBy(e => e.At).ToList();
        return newestFirst ? events[Math.Max(0, events.Count - limit)..] : events[..Math.Min(limit, events.Count)];
    }

    /// <summary>The release event in force in <paramref name="environment"/> at <paramref name="at"/>, if any.</summary>
    public async Task<ActivationEvent?> ActiveAtAsync(string prompt, string environment, DateTimeOffset at)
    {
        var entries = await store.Database.SortedSetRangeByScoreWithScoresAsync(
            store.Keys.EnvironmentHistory(prompt, environment), at.ToUnixTimeMilliseconds(), double.NegativeInfinity, Exclude.None, Order.Descending, 0, SameMillisecondLookback);
        if (entries.Length == 0)
        {
            return null;
        }

        // The latest of the newest millisecond's events by their own time: within a millisecond, member order is not time order.
        var newest = entries[0].Score;
        return entries.Where(e => e.Score == newest).Select(e => Parse(e.Element!)).MaxBy(e => e.At);
    }

    /// <summary>
    /// The first release event in <paramref name="environment"/> after <paramref name="after"/> and at or before
    /// <paramref name="until"/> (the millisecond of <paramref name="after"/> excluded), if any.
    /// </summary>
    public async Task<ActivationEvent?> FirstAfterAsync(string prompt, string environment, DateTimeOffset after, DateTimeOffset until)
    {
        var entries = await store.Database.SortedSetRangeByScoreWithScoresAsync(
            store.Keys.EnvironmentHistory(prompt, environment), after.ToUnixTimeMilliseconds(), until.ToUnixTimeMilliseconds(), Exclude.Start, Order.Ascending, 0, SameMillisecondLookback);
        if (entries.Length == 0)
        {
            return null;
        }

        var oldest = entries[0].Score;
        return entries.Where(e => e.Score == oldest).Select(e => Parse(e.Element!)).MinBy(e => e.At);
    }

    // Events of one millisecond looked at to find its latest: more in one millisecond than this is not a release history.
    private const int SameMillisecondLookback = 16;

    /// <summary>
    /// Records a raw write of a release key (one that bypassed the API) exactly once, however
    /// many instances notice it: the script only writes when the value differs from the last logged one.
    /// </summary>
    public async Task<bool> RecordExternalChangeAsync(string prompt, string environment, string observedJson, ReleaseRecord? before, ReleaseRecord after)
    {
        if (before is null)
        {
            // This instance never saw the previous value (it started after it was set): the last value
            // written to history is what the raw write replaced.
            var logged = await store.Database.StringGetAsync(store.Keys.ReleaseLogged(prompt, environment));
            if (!logged.IsNullOrEmpty && ReleaseJson.TryParse(logged!, out var previous))
            {
                before = previous;
            }
        }

        var now = time.GetUtcNow();
        var activation = new ActivationEvent
        {
            Id = ActivationEvents.NewId(now),
            At = now,
            Prompt = prompt,
            Environment = environment,
            Action = ActivationActions.ExternalChange,
            Actor = "redis",
            Reason = "The release key was written directly, not through the admin API.",
            Version = after.Stable,
            Before = before,
            After = after,
        };

        var keys = store.Keys;
        var recorded = (int)await store.Database.ScriptEvaluateAsync(
            RecordExternalChangeScript,
            [keys.Release(prompt, environment), keys.ReleaseLogged(prompt, environment), keys.History(prompt), keys.EnvironmentHistory(prompt, environment)],
            [observedJson, JsonSerializer.Serialize(activation, GatewayJsonContext.Default.ActivationEvent), now.ToUnixTimeMilliseconds()]);
        if (recorded != 1)
        {
            return false;
        }

        metrics?.RecordActivation(activation);
        return true;
    }

    private static ActivationEvent Parse(string json) =>
        JsonSerializer.Deserialize(json, GatewayJsonContext.Default.ActivationEvent) ?? throw new InvalidDataException("Empty history entry.");
}
