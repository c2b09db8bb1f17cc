namespace LlmGateway.Usage;

/// <summary>
/// The counters a usage query reads for <c>[from, to)</c>: whole minutes, or whole hours for a window longer than
/// <see cref="UsageWindow.MinuteGranularityLimit"/> or reaching back past the minutes' retention. A bucket is read when
/// its start falls in the window, so back-to-back windows (one day's report, then the next, at any alignment: a day in
/// UTC+05:30 starts mid-hour) never read a bucket twice; what was read is said (<see cref="From"/>, <see cref="To"/>).
/// </summary>
internal readonly record struct UsageWindow(bool ByMinute, long FirstMinute, long EndMinute)
{
    /// <summary>Up to this range the minute hashes are read; beyond it, the hourly rollups.</summary>
    public static readonly TimeSpan MinuteGranularityLimit = TimeSpan.FromHours(6);

    /// <summary>Minutes in a bucket: 1 or 60.</summary>
    public int Step => ByMinute ? 1 : 60;

    /// <summary>Where the buckets read begin (the first bucket start at or after the asked <c>from</c>).</summary>
    public DateTimeOffset From => DateTimeOffset.FromUnixTimeSeconds(FirstMinute * 60);

    /// <summary>Where they end (the first bucket start at or after the asked <c>to</c>), exclusive.</summary>
    public DateTimeOffset To => DateTimeOffset.FromUnixTimeSeconds(EndMinute * 60);

    public static UsageWindow For(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        // Minute hashes expire two days after their last write: a window reaching further back reads the hours (an hour
        // of margin, so a minute about to expire is not counted on).
        var byMinute = to - from <= MinuteGranularityLimit && from > now - UsageWriter.MinuteRetention + TimeSpan.FromHours(1);
        var bucketMs = (byMinute ? 1 : 60) * 60_000L;
        // Both ends rounded the same way (up): rounding the start down read the bucket holding a boundary in both windows.
        var first = CeilingDiv(from.ToUnixTimeMilliseconds(), bucketMs);
        var end = CeilingDiv(to.ToUnixTimeMilliseconds(), bucketMs);
        var step = byMinute ? 1 : 60;
        return new UsageWindow(byMinute, first * step, (to <= from ? first : Math.Max(first, end)) * step);
    }

    // Unix milliseconds are positive for every instant a query accepts (the window is bounded to recent days).
    private static long CeilingDiv(long value, long divisor) => (value + divisor - 1) / divisor;
}
