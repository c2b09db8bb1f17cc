using HdrHistogram;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Measurement;

/// <summary>
/// Durations in an HdrHistogram: microsecond resolution, up to one hour, 3 significant digits (so any
/// percentile is within 0.1 % of the true value). Not thread-safe: each thread records into its own.
/// </summary>
internal sealed class DurationHistogram
{
    private const long MicrosecondsPerMillisecond = 1000;
    private static readonly long HighestTrackableMicroseconds = (long)TimeSpan.FromHours(1).TotalMicroseconds;

    private readonly LongHistogram _histogram = new(1, HighestTrackableMicroseconds, 3);

    public long Count => _histogram.TotalCount;

    public void Record(TimeSpan duration)
    {
        // Out-of-range values would throw; a value past the top (only possible with --timeout near an hour) is pinned to it.
        var microseconds = Math.Clamp((long)duration.TotalMicroseconds, 0, HighestTrackableMicroseconds);
        _histogram.RecordValue(microseconds);
    }

    public void Add(DurationHistogram other) => _histogram.Add(other._histogram);

    public LatencySummary? Summarize()
    {
        if (Count == 0)
        {
            return null;
        }

        return new LatencySummary(
            Count,
            P50Ms: Milliseconds(_histogram.GetValueAtPercentile(50)),
            P90Ms: Milliseconds(_histogram.GetValueAtPercentile(90)),
            P99Ms: Milliseconds(_histogram.GetValueAtPercentile(99)),
            P999Ms: Milliseconds(_histogram.GetValueAtPercentile(99.9)),
            MaxMs: Milliseconds(_histogram.GetMaxValue()),
            MeanMs: _histogram.GetMean() / MicrosecondsPerMillisecond);
    }

    private static double Milliseconds(long microseconds) => (double)microseconds / MicrosecondsPerMillisecond;
}
