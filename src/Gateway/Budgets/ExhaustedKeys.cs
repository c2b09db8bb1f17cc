using System.Collections.Concurrent;

namespace LlmGateway.Budgets;

/// <summary>
/// Keys this instance recently found with a counter already at its limit (the reservation script's verdicts
/// <see cref="Day"/>, <see cref="Month"/> and <see cref="Minute"/>), each until a moment: while one is remembered the
/// key's requests are refused before any work. Remembered briefly, because a counter at its limit may hold
/// reservations of requests still running, whose unspent part goes back when they settle.
/// </summary>
internal sealed class ExhaustedKeys
{
    public const int Day = 5;
    public const int Month = 6;
    public const int Minute = 7;

    // One entry per key that was refused so: as many as the keys issued, each dropped once read past its moment.
    private readonly ConcurrentDictionary<string, (int Verdict, DateTimeOffset Until)> _keys = new(StringComparer.Ordinal);

    public void Remember(string keyId, int verdict, DateTimeOffset until) => _keys[keyId] = (verdict, until);

    /// <summary>When the counter a verdict read (the day, month or minute of <paramref name="at"/>, UTC) ends.</summary>
    public static DateTimeOffset PeriodEnd(int verdict, DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return verdict switch
        {
            Day => new DateTimeOffset(utc.Date.AddDays(1), TimeSpan.Zero),
            Month => new DateTimeOffset(new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1), TimeSpan.Zero),
            _ => new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1),
        };
    }

    public bool TryGet(string keyId, DateTimeOffset now, out int verdict)
    {
        verdict = 0;
        if (!_keys.TryGetValue(keyId, out var entry))
        {
            return false;
        }

        if (now >= entry.Until)
        {
            _keys.TryRemove(KeyValuePair.Create(keyId, entry));
            return false;
        }

        verdict = entry.Verdict;
        return true;
    }
}
