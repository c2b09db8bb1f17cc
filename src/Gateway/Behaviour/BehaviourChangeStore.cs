using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LlmGateway.Contracts.Behaviour;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Behaviour;

/// <summary>
/// Detected changes (a sorted set per prompt and environment, by detection time, kept 90 days) and where each
/// metric's current level starts (the detector's next look begins there, so one change is reported once).
/// </summary>
internal sealed class BehaviourChangeStore(GatewayStore store)
{
    private const int MaxKept = 1000;

    public async Task RecordAsync(BehaviourChange change, long boundaryMinute)
    {
        var key = store.Keys.BehaviourChanges(change.Prompt, change.Environment);
        var json = JsonSerializer.Serialize(change, GatewayJsonContext.Default.BehaviourChange);
        var batch = store.Database.CreateBatch();
        var writes = new Task[]
        {
            batch.SortedSetAddAsync(key, json, change.DetectedAt.ToUnixTimeMilliseconds()),
            batch.SortedSetRemoveRangeByRankAsync(key, 0, -MaxKept - 1),
            batch.KeyExpireAsync(key, BehaviourStore.HourRetention),
            batch.HashSetAsync(store.Keys.BehaviourSegments(change.Prompt, change.Environment), change.Metric, boundaryMinute),
            batch.KeyExpireAsync(store.Keys.BehaviourSegments(change.Prompt, change.Environment), BehaviourStore.HourRetention),
        };
        batch.Execute();
        await Task.WhenAll(writes);
    }

    /// <summary>Newest first; only <paramref name="metric"/>'s when given.</summary>
    public async Task<IReadOnlyList<BehaviourChange>> ListAsync(string prompt, string environment, string? metric, int limit)
    {
        var values = await store.Database.SortedSetRangeByRankAsync(store.Keys.BehaviourChanges(prompt, environment), 0, -1, Order.Descending);
        var changes = new List<BehaviourChange>(Math.Min(limit, values.Length));
        foreach (var value in values)
        {
            var change = JsonSerializer.Deserialize((string)value!, GatewayJsonContext.Default.BehaviourChange);
            if (change is not null && (metric is null || change.Metric == metric))
            {
                changes.Add(change);
                if (changes.Count == limit)
                {
                    break;
                }
            }
        }

        return changes;
    }

    /// <summary>Metric → the first minute of its current level.</summary>
    public async Task<IReadOnlyDictionary<string, long>> SegmentsAsync(string prompt, string environment)
    {
        var entries = await store.Database.HashGetAllAsync(store.Keys.BehaviourSegments(prompt, environment));
        return entries.ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
    }

    public static string NewId(DateTimeOffset at) =>
        "chg_" + at.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
