using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Resilience;

/// <summary>
/// Consecutive failures, and until when each open circuit stays open: what the passive health policy trips on, and what
/// the 503's <c>Retry-After</c> is computed from. A deployment has a circuit of its own, for failures to reach it
/// (connection and response-header errors: YARP takes it out of rotation), and one per upstream model, for what that
/// model answers (429, retryable 5xx) or fails to (timeouts): rate limits and quotas are per model (per deployment on
/// Azure), so one model's 429s or a hung deployment leave the provider's other models in rotation.
/// </summary>
internal sealed class DestinationBreakers(TimeProvider time)
{
    // The deployment's own circuit is keyed by an empty model (a catalog's upstream model is never empty). Keys come from
    // the configuration (providers' clusters, their destinations, the catalog's upstream models): bounded.
    private const string Deployment = "";

    private readonly ConcurrentDictionary<(string Cluster, string Destination, string Model), Breaker> _breakers = new();

    // UTC ticks until which some model's circuit may be open; 0 once none can be. Until a model's circuit opens (and after
    // every one has closed), a request's destinations are not looked at one by one: not even the clock is read.
    private long _modelsOpenUntil;

    /// <summary>Counts a failure to reach a deployment; true (with the period) when it opens the deployment's circuit.</summary>
    public bool Failed(string cluster, string destination, int threshold, TimeSpan breakFor) =>
        Get(cluster, destination, Deployment).Failed(threshold, time.GetUtcNow() + breakFor);

    /// <summary>
    /// Counts a failure of one upstream model on a deployment; true when it opens that model's circuit there (the
    /// deployment stays in rotation for the provider's other models). <paramref name="responded"/>: the deployment
    /// answered (a status), so its own count of failures to reach it starts again.
    /// </summary>
    public bool Failed(string cluster, string destination, string model, int threshold, TimeSpan breakFor, bool responded)
    {
        var breaker = Get(cluster, destination, model);
        if (responded)
        {
            breaker.Deployment.Reset();
        }

        var openUntil = time.GetUtcNow() + breakFor;
        if (!breaker.Failed(threshold, openUntil))
        {
            return false;
        }

        if (!ReferenceEquals(breaker, breaker.Deployment))
        {
            // The forwarder reads the model's circuits while any may be open.
            var until = openUntil.UtcTicks;
            var seen = Volatile.Read(ref _modelsOpenUntil);
            while (seen < until)
            {
                var actual = Interlocked.CompareExchange(ref _modelsOpenUntil, until, seen);
                if (actual == seen)
                {
                    break;
                }

                seen = actual;
            }
        }

        return true;
    }

    /// <summary>The latest answers a model remembers on a deployment, each able to excuse one first-byte timeout (<see cref="TryExcuse"/>).</summary>
    internal const int RememberedAnswers = 64;

    /// <summary>
    /// A response from the deployment that is no failure of the model (null: of the deployment): resets the model's
    /// failures there, and the deployment's; when <paramref name="answered"/> (it answered below 400: an edge that
    /// refuses at once while inference hangs earns nothing), it is one of the model's answers (<see cref="TryExcuse"/>).
    /// </summary>
    public void Succeeded(string cluster, string destination, string? model, bool answered = true)
    {
        var breaker = Get(cluster, destination, model ?? Deployment);
        if (answered)
        {
            breaker.Answered(time);
        }

        breaker.Reset();
        breaker.Deployment.Reset();
    }

    /// <summary>
    /// Whether a first-byte timeout of the model's attempt that began at <paramref name="startedAt"/> (a timestamp of the
    /// time provider) is excused: by an answer the same model gave on the deployment after it began that no other
    /// timeout used (null: any answer the deployment gave for no known model). A model that answers one request in twenty and leaves the rest waiting has its other timeouts
    /// counted, and so does a hung model whatever the provider's other models answer.
    /// </summary>
    public bool TryExcuse(string cluster, string destination, string? model, long startedAt) =>
        _breakers.TryGetValue((cluster, destination, model ?? Deployment), out var breaker) && breaker.TryExcuse(startedAt);

    /// <summary>
    /// The cluster's destinations in rotation for <paramref name="model"/>: its available ones, less those where the
    /// model's circuit is open. The cluster's own list (nothing allocated) unless one of them is out for the model.
    /// </summary>
    public IReadOnlyList<DestinationState> AvailableFor(ClusterState cluster, string model)
    {
        var available = cluster.DestinationsState.AvailableDestinations;
        var openUntil = Volatile.Read(ref _modelsOpenUntil);
        if (openUntil == 0 || available.Count == 0)
        {
            return available;
        }

        var now = time.GetUtcNow().UtcTicks;
        if (now >= openUntil)
        {
            // Every model's circuit has closed: stop looking (unless one opened meanwhile, which moved the mark).
            Interlocked.CompareExchange(ref _modelsOpenUntil, 0, openUntil);
            return available;
        }

        List<DestinationState>? narrowed = null;
        for (var i = 0; i < available.Count; i++)
        {
            var destination = available[i];
            if (_breakers.TryGetValue((cluster.ClusterId, destination.DestinationId, model), out var breaker) && breaker.OpenUntilTicks > now)
            {
                narrowed ??= [.. available.Take(i)];
            }
            else
            {
                narrowed?.Add(destination);
            }
        }

        return narrowed ?? available;
    }

    /// <summary>
    /// How long until <paramref name="model"/> can be sent to one of the cluster's deployments again: the soonest a
    /// deployment whose circuit, or the model's circuit on it, is open has both closed; null when none is open.
    /// </summary>
    public TimeSpan? RetryAfter(string cluster, string model)
    {
        var now = time.GetUtcNow().UtcTicks;
        long? soonest = null;
        foreach (var ((clusterId, destination, breakerModel), breaker) in _breakers)
        {
            if (clusterId != cluster)
            {
                continue;
            }

            long until;
            if (breakerModel == model)
            {
                until = Math.Max(breaker.OpenUntilTicks, breaker.Deployment.OpenUntilTicks);
            }
            else if (breakerModel == Deployment && !_breakers.ContainsKey((clusterId, destination, model)))
            {
                until = breaker.OpenUntilTicks;
            }
            else
            {
                continue;
            }

            if (until > now && (soonest is null || until < soonest))
            {
                soonest = until;
            }
        }

        return soonest is { } ticks ? TimeSpan.FromTicks(ticks - now) : null;
    }

    private Breaker Get(string cluster, string destination, string model) =>
        _breakers.GetOrAdd((cluster, destination, model), static (key, self) => new Breaker(
            key.Model == Deployment ? null : self.Get(key.Cluster, key.Destination, Deployment)), this);

    private sealed class Breaker
    {
        // The latest answers' timestamps, a ring in answer order (taken under the lock: never out of order); how many
        // answers there were; which of the remembered ones excused a timeout (a bit per ring slot).
        private readonly long[] _answeredAt = new long[RememberedAnswers];
        private readonly Lock _answers = new();
        private long _answerCount;
        private ulong _used;
        private int _failures;
        private long _openUntil;

        /// <param name="deployment">The deployment's own circuit, for a model's; null for the deployment's itself.</param>
        public Breaker(Breaker? deployment) => Deployment = deployment ?? this;

        /// <summary>The deployment's own circuit (this one, for the deployment's).</summary>
        public Breaker Deployment { get; }

        /// <summary>Until when the circuit is open (UTC ticks; in the past when it is closed).</summary>
        public long OpenUntilTicks => Volatile.Read(ref _openUntil);

        public bool Failed(int threshold, DateTimeOffset openUntil)
        {
            lock (_answers)
            {
                _failures++;
                if (_failures < threshold)
                {
                    return false;
                }

                _failures = 0;
                Volatile.Write(ref _openUntil, openUntil.UtcTicks);
                return true;
            }
        }

        public void Reset()
        {
            if (Volatile.Read(ref _failures) > 0)
            {
                lock (_answers)
                {
                    _failures = 0;
                }
            }
        }

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
        /// their attempts began (a model's timeouts can be set per catalog model), and the earliest leaves the later
        /// answers to later attempts.
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
