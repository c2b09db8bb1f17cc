using System.Collections.Concurrent;

namespace LlmGateway.Budgets;

/// <summary>
/// Keys this instance recently found unable to hold a request (the reservation script's refusals: a counter already at
/// its limit, <see cref="Day"/>, <see cref="Month"/> and <see cref="Minute"/>, or one with less room than the request
/// needed, with that room), each until a moment: meanwhile the key's requests that could not fit are refused before any
/// work. Remembered briefly, because a counter may hold reservations of requests still running, whose unspent part
/// goes back when they settle.
/// </summary>
internal sealed class ExhaustedKeys
{
    public const int Day = 5;
    public const int Month = 6;
    public const int Minute = 7;

    // One entry per key that was refused: as many as the keys issued, each dropped once read past its moment.
    private readonly ConcurrentDictionary<string, (int Verdict, DateTimeOffset Until, long Room)> _keys = new(StringComparer.Ordinal);

    /// <param name="room">What the counter had left (nano-USD, or tokens for a minute) when it refused a request too large.</param>
    public void Remember(string keyId, int verdict, DateTimeOffset until, long room) => _keys[keyId] = (verdict, until, room);

    /// <summary>When the counter a verdict read (the day, month or minute of <paramref name="at"/>, UTC) ends.</summary>
    public static DateTimeOffset PeriodEnd(int verdict, DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return verdict switch
        {
            Day or 1 => new DateTimeOffset(utc.Date.AddDays(1), TimeSpan.Zero),
            Month or 2 => new DateTimeOffset(new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1), TimeSpan.Zero),
            _ => new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1),
        };
    }

    public bool TryGet(string keyId, DateTimeOffset now, out int verdict, out long room)
    {
        (verdict, room) = (0, 0);
        if (!_keys.TryGetValue(keyId, out var entry))
        {
            return false;
        }

        if (now >= entry.Until)
        {
            _keys.TryRemove(KeyValuePair.Create(keyId, entry));
            return false;
        }

        (verdict, room) = (entry.Verdict, entry.Room);
        return true;
    }
}
