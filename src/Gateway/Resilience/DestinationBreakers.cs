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

    public void Succeeded(string cluster, string destination)
    {
        if (_breakers.TryGetValue((cluster, destination), out var breaker))
        {
            lock (breaker)
            {
                breaker.Failures = 0;
            }
        }
    }

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
        public int Failures { get; set; }

        public DateTimeOffset OpenUntil { get; set; }
    }
}
