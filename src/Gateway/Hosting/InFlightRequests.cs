namespace LlmGateway.Hosting;

/// <summary>The server's requests still running, and a wait for none to be.</summary>
internal sealed class InFlightRequests
{
    private int _count;
    private TaskCompletionSource? _none;

    public int Count => Volatile.Read(ref _count);

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit()
    {
        if (Interlocked.Decrement(ref _count) == 0)
        {
            Volatile.Read(ref _none)?.TrySetResult();
        }
    }

    /// <summary>Completes once no request is running (at once if none is). Meant for the stop, when no new ones come.</summary>
    public Task WhenNoneAsync()
    {
        var none = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A full fence (not a volatile write): the store must not pass the count's load below, or the last request's
        // Exit could read no waiter while this reads its count still 1.
        Interlocked.Exchange(ref _none, none);
        if (Count == 0)
        {
            none.TrySetResult();
        }

        return none.Task;
    }
}
