using System.Diagnostics;
using LlmGateway.LoadTests.Execution;

namespace LlmGateway.LoadTests.Measurement;

/// <summary>
/// Everything measured about the requests one thread completed. Owned by a single thread while the run is
/// going (no locks on the hot path) and merged into one shard at the end.
/// </summary>
internal sealed class StatisticsShard
{
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _tags = new(StringComparer.Ordinal);

    /// <summary>From the intended start to the end of the response (to <c>[DONE]</c> for streams).</summary>
    public DurationHistogram Latency { get; } = new();

    /// <summary>From the actual send to the end of the response: latency without the generator's own lateness.</summary>
    public DurationHistogram ServiceTime { get; } = new();

    /// <summary>From the intended start to the first event with content.</summary>
    public DurationHistogram TimeToFirstToken { get; } = new();

    /// <summary>Between consecutive content events of one stream.</summary>
    public DurationHistogram InterChunkGap { get; } = new();

    public long Succeeded { get; private set; }

    public long Failed { get; private set; }

    public long ResponseBytes { get; private set; }

    public long ContentChunks { get; private set; }

    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Successful responses per scenario tag (e.g. <c>v1 stable</c>).</summary>
    public IReadOnlyDictionary<string, long> Tags => _tags;

    /// <summary>Timing histograms only hold successful requests; a failure's duration says little about the server's latency.</summary>
    public void Record(RequestOutcome outcome)
    {
        ResponseBytes += outcome.ResponseBytes;
        if (outcome.Error is { } error)
        {
            Failed++;
            _errors[error] = _errors.GetValueOrDefault(error) + 1;
            return;
        }

        Succeeded++;
        if (outcome.Tag is { } tag)
        {
            _tags[tag] = _tags.GetValueOrDefault(tag) + 1;
        }

        Latency.Record(Stopwatch.GetElapsedTime(outcome.IntendedStart, outcome.CompletedAt));
        ServiceTime.Record(Stopwatch.GetElapsedTime(outcome.SentAt, outcome.CompletedAt));
        var chunks = outcome.ContentChunkTimestamps;
        ContentChunks += chunks.Count;
        if (chunks.Count == 0)
        {
            return;
        }

        TimeToFirstToken.Record(Stopwatch.GetElapsedTime(outcome.IntendedStart, chunks[0]));
        for (var i = 1; i < chunks.Count; i++)
        {
            InterChunkGap.Record(Stopwatch.GetElapsedTime(chunks[i - 1], chunks[i]));
        }
    }

    public void Add(StatisticsShard other)
    {
        Latency.Add(other.Latency);
        ServiceTime.Add(other.ServiceTime);
        TimeToFirstToken.Add(other.TimeToFirstToken);
        InterChunkGap.Add(other.InterChunkGap);
        Succeeded += other.Succeeded;
        Failed += other.Failed;
        ResponseBytes += other.ResponseBytes;
        ContentChunks += other.ContentChunks;
        foreach (var (kind, count) in other._errors)
        {
            _errors[kind] = _errors.GetValueOrDefault(kind) + count;
        }

        foreach (var (tag, count) in other._tags)
        {
            _tags[tag] = _tags.GetValueOrDefault(tag) + count;
        }
    }
}
