using LlmGateway.LoadTests.Execution;

namespace LlmGateway.LoadTests.Measurement;

/// <summary>
/// Thread-safe sink for outcomes. Each thread records into its own <see cref="StatisticsShard"/> (a
/// ThreadLocal that keeps every thread's value), so recording takes no lock; <see cref="Collect"/> merges them.
/// A request belongs to the warmup when it was due before the warmup ended, whenever it finished.
/// </summary>
/// <param name="observer">Sees every outcome, warmup included, e.g. to time a release flip; null for plain runs.</param>
internal sealed class MeasurementRecorder(long warmupEndsAt, Action<RequestOutcome>? observer = null) : IDisposable
{
    private readonly ThreadLocal<StatisticsShard> _shards = new(() => new StatisticsShard(), trackAllValues: true);
    private long _warmupRequests;
    private long _dropped;
    private long _interrupted;

    public void Record(RequestOutcome outcome)
    {
        observer?.Invoke(outcome);
        if (outcome.Aborted)
        {
            Interlocked.Increment(ref _interrupted);
        }
        else if (outcome.IntendedStart < warmupEndsAt)
        {
            Interlocked.Increment(ref _warmupRequests);
        }
        else
        {
            _shards.Value!.Record(outcome);
        }
    }

    public void RecordDropped(long intendedStart)
    {
        if (intendedStart >= warmupEndsAt)
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Call once every request has been recorded: shards are read without synchronisation.</summary>
    public Measurements Collect()
    {
        var merged = new StatisticsShard();
        foreach (var shard in _shards.Values)
        {
            merged.Add(shard);
        }

        return new Measurements(merged, Interlocked.Read(ref _warmupRequests), Interlocked.Read(ref _dropped), Interlocked.Read(ref _interrupted));
    }

    public void Dispose() => _shards.Dispose();
}
