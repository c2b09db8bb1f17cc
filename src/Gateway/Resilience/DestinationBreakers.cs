using System.Collections.Concurrent;

namespace LlmGateway.Resilience;

/// <summary>
/// Consecutive failures per destination, and until when each open circuit stays open: what the
/// passive health policy trips on, and what the 503's <c>Retry-After</c> is computed from.
/// </summary>
internal sealed class DestinationBreakers(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Cluster, string Destination), Breaker> _breakers = new();

    /// <summary>Counts a failure; true (with the period) when it opens the circuit.</summary>
    public bool Failed(string cluster, string destination, int threshold, TimeSpan breakFor)
    {
        var breaker = _breakers.GetOrAdd((cluster, destination), static _ => new Breaker());
        lock (breaker)
        {
            breaker.Failures++;
            if (breaker.Failures < threshold)
            {
                return false;
            }

            breaker.Failures = 0;
            breaker.OpenUntil = time.GetUtcNow() + breakFor;
            return true;
        }
    }

    /// <summary>Answers a destination banks to excuse first-byte timeouts with (<see cref="TryExcuse"/>).</summary>
    internal const int MaxExcuses = 20;

    /// <summary>A request the destination answered: resets its failures, and banks one excuse (<see cref="TryExcuse"/>).</summary>
    public void Succeeded(string cluster, string destination)
    {
        var breaker = _breakers.GetOrAdd((cluster, destination), static _ => new Breaker());
        breaker.Answered(time.GetTimestamp());
        if (breaker.Failures > 0)
        {
            lock (breaker)
            {
                breaker.Failures = 0;
            }
        }
    }

    /// <summary>
    /// Whether a first-byte timeout of an attempt that began at <paramref name="startedAt"/> (a timestamp of the time
    /// provider) is excused: the destination answered a request after it began, and each answer excuses one timeout.
    /// A provider that answers one request in twenty and leaves the rest waiting has its other timeouts counted.
    /// </summary>
    public bool TryExcuse(string cluster, string destination, long startedAt) =>
        _breakers.TryGetValue((cluster, destination), out var breaker) && breaker.TryExcuse(startedAt);

    /// <summary>How long until the first open circuit of the cluster closes again; null when none is open.</summary>
    public TimeSpan? RetryAfter(string cluster)
    {
        var now = time.GetUtcNow();
        TimeSpan? soonest = null;
        foreach (var ((clusterId, _), breaker) in _breakers)
        {
            if (clusterId == cluster && breaker.OpenUntil > now && (soonest is null || breaker.OpenUntil - now < soonest))
            {
                soonest = breaker.OpenUntil - now;
            }
        }

        return soonest;
    }

    private sealed class Breaker
    {
        private long _lastAnswered;
        private int _excuses;

        public int Failures { get; set; }

        public void Answered(long timestamp)
        {
            Interlocked.Exchange(ref _lastAnswered, timestamp);
            if (Volatile.Read(ref _excuses) < MaxExcuses)
            {
                Interlocked.Increment(ref _excuses);
            }
        }

        public bool TryExcuse(long startedAt)
        {
            if (Interlocked.Read(ref _lastAnswered) <= startedAt)
            {
                return false;
            }

            var excuses = Volatile.Read(ref _excuses);
            while (excuses > 0)
            {
                var seen = Interlocked.CompareExchange(ref _excuses, excuses - 1, excuses);
                if (seen == excuses)
                {
                    return true;
                }

                excuses = seen;
            }

            return false;
        }

        public DateTimeOffset OpenUntil { get; set; }
    }
}
