using LlmGateway.Accounting;
using LlmGateway.Store;

namespace LlmGateway.Usage;

/// <summary>Sums the usage counters over a time range, filtered and grouped by dimensions.</summary>
/// <remarks>
/// The store's connection is the request path's too: a 90-day query is 2,160 hashes, and read in one batch its replies
/// held the connection (and every budget reservation behind them) for as long as they took to arrive, all of them in
/// memory at once. So the buckets are read <see cref="BucketsPerRead"/> at a time, each group summed before the next
/// is asked for, and at most <see cref="ConcurrentQueries"/> queries run at once in an instance; the others wait.
/// </remarks>
internal sealed class UsageQuery(GatewayStore store) : IDisposable
{
    private const int BucketsPerRead = 24;
    private const int ConcurrentQueries = 2;

    private readonly SemaphoreSlim _running = new(ConcurrentQueries, ConcurrentQueries);

    public void Dispose() => _running.Dispose();

    /// <summary>Sums the buckets of <paramref name="window"/> (<see cref="UsageWindow.For"/>).</summary>
    public async Task<IReadOnlyList<UsageRow>> RunAsync(UsageWindow window, IReadOnlyDictionary<string, string> filters, IReadOnlyList<string> groupBy, CancellationToken cancellationToken = default)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            return await SumAsync(window, filters, groupBy, cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<IReadOnlyList<UsageRow>> SumAsync(UsageWindow window, IReadOnlyDictionary<string, string> filters, IReadOnlyList<string> groupBy, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, (Dictionary<string, string> Group, Dictionary<string, long> Counters)>(StringComparer.Ordinal);
        var reads = new List<Task<StackExchange.Redis.HashEntry[]>>(BucketsPerRead);
        for (var first = window.FirstMinute; first < window.EndMinute; first += (long)window.Step * BucketsPerRead)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = store.Database.CreateBatch();
            reads.Clear();
            for (var bucket = first; bucket < window.EndMinute && bucket < first + ((long)window.Step * BucketsPerRead); bucket += window.Step)
            {
                reads.Add(batch.HashGetAllAsync(window.ByMinute ? store.Keys.UsageMinute(bucket) : store.Keys.UsageHour(bucket)));
            }

            batch.Execute();
            foreach (var read in reads)
            {
                Add(rows, await read, filters, groupBy);
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
            NanoUsd.ToUsd(r.Counters.GetValueOrDefault(UsageMetrics.CostNanoUsd)),
            r.Counters.GetValueOrDefault(UsageMetrics.Unpriced),
            r.Counters.Where(c => c.Key.StartsWith("latency_", StringComparison.Ordinal)).ToDictionary(c => c.Key["latency_".Length..], c => c.Value, StringComparer.Ordinal)))
            .OrderByDescending(r => r.Requests)];
    }

    private static void Add(
        Dictionary<string, (Dictionary<string, string> Group, Dictionary<string, long> Counters)> rows,
        StackExchange.Redis.HashEntry[] entries,
        IReadOnlyDictionary<string, string> filters,
        IReadOnlyList<string> groupBy)
    {
        foreach (var entry in entries)
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
