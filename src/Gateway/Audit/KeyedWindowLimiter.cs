using System.Collections.Concurrent;

namespace LlmGateway.Audit;

/// <summary>
/// A fixed-window counter per key (a remote address, an actor), in process. The number of keys is
/// bounded: when the table is full even after dropping ended windows, new keys share one overflow
/// key, so spraying addresses cannot grow memory or escape the limit.
/// </summary>
internal sealed class KeyedWindowLimiter(TimeProvider time, TimeSpan window, int limit, int maxKeys = 10_000)
{
    private const string OverflowKey = "\0overflow";

    private readonly ConcurrentDictionary<string, (long Start, int Count)> _windows = new(StringComparer.Ordinal);
    private long _lastSweep;

    public int Limit => limit;

    /// <summary>Counts one hit; true while the key is within its limit for the current window.</summary>
    public bool TryAcquire(string key) => Hit(key) <= limit;

    /// <summary>Counts one hit and returns the key's count in the current window (1 for the first).</summary>
    public int Hit(string key)
    {
        var now = time.GetUtcNow().UtcTicks;
        var counted = _windows.AddOrUpdate(
            Tracked(key, now),
            static (_, now) => (now, 1),
            (_, current, now) => Ended(current.Start, now) ? (now, 1) : (current.Start, current.Count + 1),
            now);
        return counted.Count;
    }

    /// <summary>True when the key has used its limit in the current window; then also how long until it ends.</summary>
    /// <param name="overflowShares">
    /// Whether a key the full table does not track answers for the shared overflow key (it can then be refused for what
    /// other keys did); false: only a tracked key's own window can refuse it.
    /// </param>
    public bool IsExhausted(string key, out TimeSpan retryAfter, bool overflowShares = true)
    {
        var now = time.GetUtcNow().UtcTicks;
        retryAfter = TimeSpan.Zero;
        if ((_windows.TryGetValue(key, out var current) || (overflowShares && _windows.Count >= maxKeys && _windows.TryGetValue(OverflowKey, out current)))
            && !Ended(current.Start, now) && current.Count >= limit)
        {
            retryAfter = window - TimeSpan.FromTicks(now - current.Start);
            return true;
        }

        return false;
    }

    private string Tracked(string key, long now)
    {
        if (_windows.ContainsKey(key) || _windows.Count < maxKeys)
        {
            return key;
        }

        var last = Interlocked.Read(ref _lastSweep);
        if (now - last >= window.Ticks && Interlocked.CompareExchange(ref _lastSweep, now, last) == last)
        {
            foreach (var (k, v) in _windows)
            {
                if (Ended(v.Start, now))
                {
                    _windows.TryRemove(k, out _);
                }
            }
        }

        return _windows.Count < maxKeys ? key : OverflowKey;
    }

    // UTC ticks (not the monotonic timestamp) so a test clock that only moves GetUtcNow drives it.
    private bool Ended(long start, long now) => now - start >= window.Ticks || now < start;
}
