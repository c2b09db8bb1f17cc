namespace LlmGateway.Usage;

/// <summary>
/// The counters a usage query reads for <c>[from, to)</c>: whole minutes, or whole hours for a window longer than
/// <see cref="UsageWindow.MinuteGranularityLimit"/> or reaching back past the minutes' retention. Half-open, so
/// back-to-back windows (one day's report, then the next) never count their boundary twice; a bucket is read when it
/// starts before <c>to</c>, and the first is the one holding <c>from</c> (the window is widened to whole buckets, and
/// says so: <see cref="From"/>, <see cref="To"/>).
/// </summary>
internal readonly record struct UsageWindow(bool ByMinute, long FirstMinute, long EndMinute)
{
    /// <summary>Up to this range the minute hashes are read; beyond it, the hourly rollups.</summary>
    public static readonly TimeSpan MinuteGranularityLimit = TimeSpan.FromHours(6);

    /// <summary>Minutes in a bucket: 1 or 60.</summary>
    public int Step => ByMinute ? 1 : 60;

    /// <summary>Where the buckets read begin (at or before the asked <c>from</c>).</summary>
    public DateTimeOffset From => DateTimeOffset.FromUnixTimeSeconds(FirstMinute * 60);

    /// <summary>Where they end (at or after the asked <c>to</c>), exclusive.</summary>
    public DateTimeOffset To => DateTimeOffset.FromUnixTimeSeconds(EndMinute * 60);

    public static UsageWindow For(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        // Minute hashes expire two days after their last write: a window reaching further back reads the hours (an hour
        // of margin, so a minute about to expire is not counted on).
        var byMinute = to - from <= MinuteGranularityLimit && from > now - UsageWriter.MinuteRetention + TimeSpan.FromHours(1);
        var bucketMs = (byMinute ? 1 : 60) * 60_000L;
        var first = Math.DivRem(from.ToUnixTimeMilliseconds(), bucketMs, out _);
        var end = (to.ToUnixTimeMilliseconds() + bucketMs - 1) / bucketMs;
        var step = byMinute ? 1 : 60;
        return new UsageWindow(byMinute, first * step, (to <= from ? first : end) * step);
    }
}
