using LlmGateway.Store;

namespace LlmGateway.Usage;

/// <summary>Sums the usage counters over a time range, filtered and grouped by dimensions.</summary>
internal sealed class UsageQuery(GatewayStore store)
{
    /// <summary>Sums the buckets of <paramref name="window"/> (<see cref="UsageWindow.For"/>).</summary>
    public async Task<IReadOnlyList<UsageRow>> RunAsync(UsageWindow window, IReadOnlyDictionary<string, string> filters, IReadOnlyList<string> groupBy)
    {
        var batch = store.Database.CreateBatch();
        var reads = new List<Task<StackExchange.Redis.HashEntry[]>>();
        for (var bucket = window.FirstMinute; bucket < window.EndMinute; bucket += window.Step)
        {
            reads.Add(batch.HashGetAllAsync(window.ByMinute ? store.Keys.UsageMinute(bucket) : store.Keys.UsageHour(bucket)));
        }

        batch.Execute();
        var rows = new Dictionary<string, (Dictionary<string, string> Group, Dictionary<string, long> Counters)>(StringComparer.Ordinal);
        foreach (var read in reads)
        {
            foreach (var entry in await read)
            {
                var field = (string)entry.Name!;
                var bar = field.LastIndexOf('|');
                var dimensions = UsageDimensions.Split(field[..bar]);
                if (!Matches(dimensions, filters))
                {
                    continue;
                }

                var group = groupBy.ToDictionary(g => g, g => dimensions[Array.IndexOf(UsageDimensions.Names, g)], StringComparer.Ordinal);
                var groupKey = string.Join(UsageDimensions.Separator, group.Values);
                if (!rows.TryGetValue(groupKey, out var row))
                {
                    row = (group, new Dictionary<string, long>(StringComparer.Ordinal));
                    rows[groupKey] = row;
                }

                var metric = field[(bar + 1)..];
                row.Counters[metric] = row.Counters.GetValueOrDefault(metric) + (long)entry.Value;
            }
        }

        return [.. rows.Values.Select(r => new UsageRow(
            r.Group,
            r.Counters.GetValueOrDefault(UsageMetrics.Requests),
            r.Counters.GetValueOrDefault(UsageMetrics.Errors),
            r.Counters.GetValueOrDefault(UsageMetrics.InputTokens),
            r.Counters.GetValueOrDefault(UsageMetrics.CachedInputTokens),
            r.Counters.GetValueOrDefault(UsageMetrics.OutputTokens),
            r.Counters.GetValueOrDefault(UsageMetrics.ReasoningTokens),
            r.Counters.GetValueOrDefault(UsageMetrics.CostNanoUsd) / 1_000_000_000m,
            r.Counters.GetValueOrDefault(UsageMetrics.Unpriced),
            r.Counters.Where(c => c.Key.StartsWith("latency_", StringComparison.Ordinal)).ToDictionary(c => c.Key["latency_".Length..], c => c.Value, StringComparer.Ordinal)))
            .OrderByDescending(r => r.Requests)];
    }

    private static bool Matches(string[] dimensions, IReadOnlyDictionary<string, string> filters)
    {
        foreach (var (name, value) in filters)
        {
            var index = Array.IndexOf(UsageDimensions.Names, name);
            if (index < 0 || index >= dimensions.Length || dimensions[index] != value)
            {
                return false;
            }
        }

        return true;
    }
}
