namespace LlmGateway.LoadTests.Execution;

/// <summary><c>--max-requests</c>: a thread-safe count of requests still allowed to be sent.</summary>
internal sealed class RequestBudget(long maxRequests)
{
    private long _taken;

    /// <summary>Requests actually granted (failed attempts past the limit do not count).</summary>
    public long Granted => Math.Min(Volatile.Read(ref _taken), maxRequests);

    public bool IsExhausted => Volatile.Read(ref _taken) >= maxRequests;

    public bool TryTake() => Interlocked.Increment(ref _taken) <= maxRequests;
}
