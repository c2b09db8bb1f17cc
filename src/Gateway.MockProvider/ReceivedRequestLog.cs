namespace LlmGateway.MockProvider;

/// <summary>
/// Thread-safe ring buffer of the most recent requests to /v1 and /openai, so tests can assert
/// on exactly what the gateway forwarded (headers, body, query string).
/// </summary>
public sealed class ReceivedRequestLog
{
    private readonly Lock _gate = new();
    private readonly ReceivedRequest[] _ring;
    private long _count; // long so a very long load test cannot wrap the ring index

    public ReceivedRequestLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ring = new ReceivedRequest[capacity];
    }

    /// <summary>Total number of requests ever received, including those evicted from the buffer.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return (int)Math.Min(_count, int.MaxValue);
            }
        }
    }

    /// <summary>The most recently received request, or null when none arrived yet.</summary>
    public ReceivedRequest? Last
    {
        get
        {
            lock (_gate)
            {
                return _count == 0 ? null : _ring[(_count - 1) % _ring.Length];
            }
        }
    }

    /// <summary>Retained requests carrying <paramref name="tag"/>, oldest first.</summary>
    public IReadOnlyList<ReceivedRequest> ForTag(string tag) => Where(request => request.Tag == tag);

    /// <summary>All retained requests, oldest first.</summary>
    public IReadOnlyList<ReceivedRequest> Snapshot() => Where(static _ => true);

    internal void Add(ReceivedRequest request)
    {
        lock (_gate)
        {
            _ring[_count % _ring.Length] = request;
            _count++;
        }
    }

    private List<ReceivedRequest> Where(Func<ReceivedRequest, bool> predicate)
    {
        lock (_gate)
        {
            var retained = Math.Min(_count, _ring.Length);
            var matches = new List<ReceivedRequest>();
            for (var i = _count - retained; i < _count; i++)
            {
                var request = _ring[i % _ring.Length];
                if (predicate(request))
                {
                    matches.Add(request);
                }
            }

            return matches;
        }
    }
}
