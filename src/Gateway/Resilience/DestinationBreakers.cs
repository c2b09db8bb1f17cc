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

    /// <summary>The latest answers a destination remembers, each able to excuse one first-byte timeout (<see cref="TryExcuse"/>).</summary>
    internal const int RememberedAnswers = 64;

    /// <summary>
    /// A request the destination handled: resets its failures; when <paramref name="answered"/> (it answered below 400:
    /// an edge that refuses at once while inference hangs earns nothing), it is one answer (<see cref="TryExcuse"/>).
    /// </summary>
    public void Succeeded(string cluster, string destination, bool answered = true)
    {
        var breaker = _breakers.GetOrAdd((cluster, destination), static _ => new Breaker());
        if (answered)
        {
            breaker.Answered(time);
        }

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
    /// provider) is excused: by an answer the destination gave after it began that no other timeout used. A provider
    /// that answers one request in twenty and leaves the rest waiting has its other timeouts counted.
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
        // The latest answers' timestamps, a ring in answer order (taken under the lock: never out of order); how many
        // answers there were; which of the remembered ones excused a timeout (a bit per ring slot).
        private readonly long[] _answeredAt = new long[RememberedAnswers];
        private readonly Lock _answers = new();
        private long _answerCount;
        private ulong _used;

        public int Failures { get; set; }

        public DateTimeOffset OpenUntil { get; set; }

        public void Answered(TimeProvider time)
        {
            lock (_answers)
            {
                var slot = (int)(_answerCount % RememberedAnswers);
                _answeredAt[slot] = time.GetTimestamp();
                _used &= ~(1UL << slot);
                _answerCount++;
            }
        }

        /// <summary>
        /// Takes the earliest unused answer given after <paramref name="startedAt"/>: timeouts need not fire in the order
        /// their attempts began (timeouts are per model), and the earliest leaves the later answers to later attempts.
        /// </summary>
        public bool TryExcuse(long startedAt)
        {
            lock (_answers)
            {
                for (var i = Math.Max(0, _answerCount - RememberedAnswers); i < _answerCount; i++)
                {
                    var slot = (int)(i % RememberedAnswers);
                    if (_answeredAt[slot] > startedAt && (_used & (1UL << slot)) == 0)
                    {
                        _used |= 1UL << slot;
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
