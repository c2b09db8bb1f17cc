using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Usage;

/// <summary>
/// Drains the recorder in batches (what a second gathered after the first sample), adds them up in memory, and writes
/// one HINCRBY per counter into a hash per minute (kept 2 days) and per hour (kept 90 days). Each
/// hash is its own key, so nothing here needs a multi-key command.
/// </summary>
internal sealed class UsageWriter(UsageRecorder recorder, GatewayStore store, ILogger<UsageWriter> logger) : BackgroundService
{
    /// <summary>How long a minute's counters are kept after its last write (then only its hour's rollup).</summary>
    public static readonly TimeSpan MinuteRetention = TimeSpan.FromDays(2);
    private static readonly TimeSpan HourRetention = TimeSpan.FromDays(90);

    /// <summary>How long a batch gathers after its first sample.</summary>
    private static readonly TimeSpan GatherWindow = TimeSpan.FromSeconds(1);

    // The window is slept through in slices, the channel drained after each: it never has to hold a whole second of a
    // busy gateway's samples (its buffer would grow to that size and stay there).
    private const int Slices = 4;

    private const string RequestsSuffix = "|" + UsageMetrics.Requests;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = recorder.Reader;
        var totals = new Dictionary<(string Key, UsageDimensionKey Dimensions), UsageTotals>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                // Gather for a second so a busy gateway writes one batch per second, not per request. It sleeps
                // through the window instead of waiting for each sample: a waiting reader is woken by every write,
                // a thread-pool hand-off per request that a mostly idle gateway pays for in spinning threads.
                for (var slice = 0; slice < Slices; slice++)
                {
                    await Task.Delay(GatherWindow / Slices, stoppingToken);

                    // At most a full channel per slice, so producers faster than this loop cannot keep it from writing.
                    for (var read = 0; read < UsageRecorder.Capacity && reader.TryRead(out var sample); read++)
                    {
                        Add(totals, sample);
                    }
                }

                await WriteAsync(Fields(totals));
                totals.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: the server has finished its requests by now (it stops before the hosted services), so what was
        // gathered and what is still queued is all there is. One last write: a rolling deploy loses no counts.
        while (reader.TryRead(out var sample))
        {
            Add(totals, sample);
        }

        await WriteAsync(Fields(totals));
    }

    private readonly BucketKeys _keys = new(store.Keys);

    /// <summary>Adds a sample to its minute's and its hour's totals: no strings are built per request.</summary>
    private void Add(Dictionary<(string Key, UsageDimensionKey Dimensions), UsageTotals> totals, in UsageSample sample)
    {
        var (minuteKey, hourKey) = _keys.For(sample.Minute);
        Count(totals, minuteKey, sample);
        Count(totals, hourKey, sample);
    }

    private static void Count(Dictionary<(string Key, UsageDimensionKey Dimensions), UsageTotals> totals, string key, in UsageSample sample)
    {
        ref var counters = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(totals, (key, sample.Dimensions), out _);
        counters ??= new UsageTotals();
        counters.Add(sample);
    }

    /// <summary>The hash fields of a batch: <c>dimensions|metric</c> → increment, zeros left out (requests always kept).</summary>
    private static Dictionary<(string Key, string Field), long> Fields(Dictionary<(string Key, UsageDimensionKey Dimensions), UsageTotals> totals)
    {
        var fields = new Dictionary<(string, string), long>(totals.Count * 6);
        foreach (var ((key, dimensionKey), counters) in totals)
        {
            var dimensions = dimensionKey.Join();
            foreach (var (metric, value) in counters.Fields())
            {
                if (value != 0 || metric == UsageMetrics.Requests)
                {
                    fields[(key, dimensions + "|" + metric)] = value;
                }
            }
        }

        return fields;
    }

    private async Task WriteAsync(Dictionary<(string Key, string Field), long> totals)
    {
        if (totals.Count == 0)
        {
            return;
        }

        // The minutes' request counts: one per request, so what a failed write lost is counted in requests.
        var requestCounts = new List<(Task<long> Write, long Requests)>();
        try
        {
            var batch = store.Database.CreateBatch();
            var writes = new List<Task>(totals.Count + 8);
            // Each row's request count last: one connection's commands run in order, so a reader (the usage API) that
            // sees a request counted sees its tokens and cost too, never a row caught between two increments.
            foreach (var ((key, field), value) in totals.OrderBy(t => t.Key.Field.EndsWith(RequestsSuffix, StringComparison.Ordinal)))
            {
                var write = batch.HashIncrementAsync(key, field, value);
                writes.Add(write);
                if (field.EndsWith(RequestsSuffix, StringComparison.Ordinal) && key.Contains(":usage:m:", StringComparison.Ordinal))
                {
                    requestCounts.Add((write, value));
                }
            }

            foreach (var key in totals.Keys.Select(k => k.Key).Distinct())
            {
                writes.Add(batch.KeyExpireAsync(key, key.Contains(":usage:m:", StringComparison.Ordinal) ? MinuteRetention : HourRetention));
            }

            batch.Execute();
            await Task.WhenAll(writes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Counts for this batch are lost; requests were never affected. (Disposed: the store closed under the last
            // write of a shutdown that ran out of time.) Counted as dropped samples, as a full channel's are: one per
            // request the batch's minutes counted.
            UsageLog.WriteFailed(logger, totals.Count, ex.GetType().Name);
            // Only the requests whose count did not land: an expiry that timed out after the increments lost nothing.
            recorder.Lost(requestCounts.Where(c => !c.Write.IsCompletedSuccessfully).Sum(c => c.Requests));
        }
    }
}
