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

    /// <summary>A request the destination answered: resets its failures, and is when it last answered.</summary>
    public void Succeeded(string cluster, string destination)
    {
        var breaker = _breakers.GetOrAdd((cluster, destination), static _ => new Breaker());
        breaker.LastAnswered = time.GetTimestamp();
        if (breaker.Failures > 0)
        {
            lock (breaker)
            {
                breaker.Failures = 0;
            }
        }
    }

    /// <summary>
    /// Whether the destination answered a request that ended after <paramref name="timestamp"/> (one of the time
    /// provider's timestamps): it was serving others while the request that began then waited.
    /// </summary>
    public bool AnsweredSince(string cluster, string destination, long timestamp) =>
        _breakers.TryGetValue((cluster, destination), out var breaker) && breaker.LastAnswered > timestamp;

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

        public int Failures { get; set; }

        public long LastAnswered
        {
            get => Interlocked.Read(ref _lastAnswered);
            set => Interlocked.Exchange(ref _lastAnswered, value);
        }

        public DateTimeOffset OpenUntil { get; set; }
    }
}
