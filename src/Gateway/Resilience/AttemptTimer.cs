namespace LlmGateway.Resilience;

/// <summary>
/// The first-byte, idle and total timeouts of one attempt, as one cancellation token that YARP
/// forwards with. Before the first response byte it is armed with the first-byte timeout; every
/// byte that arrives re-arms it with the idle timeout. Both are capped by what is left of the
/// request's total time.
/// </summary>
internal sealed class AttemptTimer : IDisposable
{
    // One source for both causes, not a timer source plus a source linked to it and the client's token (two more
    // objects and a callback registration per attempt): the timers cancel it directly (CancelAfter), the client's
    // disconnect through a registration that first records that it, not a timer, came first.
    private readonly CancellationTokenSource _cts;
    private readonly CancellationSourcePool? _pool;
    private readonly CancellationTokenRegistration _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly long _deadline;
    private volatile bool _responding;

    // When response bytes last arrived (the attempt's start until the first): how long the provider has been silent.
    private long _lastActivity;
    private volatile bool _clientFirst;

    // Whether the delay last armed was what is left of the total, not the first-byte or idle timeout. The cause is
    // recorded when the timer is armed, not read from the clock once it fired: .NET timers tick in whole milliseconds
    // and may fire up to one early, so a total timeout seen through the clock could pass for a first-byte one, and be
    // retried (and then fall back) with nothing of the total left.
    private volatile bool _boundByTotal;
    private volatile bool _disposed;
    private int _disposing;
    private UpstreamTimeout _firedAtEnd;

    /// <param name="deadlineTimestamp">The end of the request's total time, a timestamp of <paramref name="time"/>.</param>
    /// <param name="time">The clock of the deadline and of the timers (the system's, or a test's).</param>
    /// <param name="pool">
    /// Where the source comes from and goes back to, on <paramref name="time"/>'s clock; unset, the shared pool on the
    /// system clock, and a source of its own on any other clock.
    /// </param>
    public AttemptTimer(TimeSpan firstByte, TimeSpan idle, long deadlineTimestamp, TimeProvider time, CancellationToken client, CancellationSourcePool? pool = null)
    {
        _time = time;
        // The source is pooled: it, its timer and the registrations YARP's HttpClient makes on its token are a third of
        // a kilobyte per request otherwise.
        _pool = pool ?? (ReferenceEquals(time, TimeProvider.System) ? CancellationSourcePool.Shared : null);
        if (_pool is not null && !ReferenceEquals(_pool.Time, time))
        {
            throw new ArgumentException("The pool's sources run on another clock.", nameof(pool));
        }

        StartedAt = time.GetTimestamp();
        _lastActivity = StartedAt;
        _cts = _pool?.Rent() ?? new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _idle = idle;
        _deadline = deadlineTimestamp;
        Arm(firstByte);
        _client = client.UnsafeRegister(static state => ((AttemptTimer)state!).CancelForClient(), this);
    }

    /// <summary>When the attempt began, a timestamp of the timer's time provider.</summary>
    public long StartedAt { get; }

    /// <summary>How long since response bytes last arrived (since the attempt began, before the first).</summary>
    public TimeSpan SilentFor => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    /// <summary>Cancelled when the client goes away or a timer fires.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Which timer fired, if one did (not when the client went away first): the one it was armed with.</summary>
    public UpstreamTimeout Fired => _disposed ? _firedAtEnd : FiredNow;

    private UpstreamTimeout FiredNow => !_cts.IsCancellationRequested || _clientFirst ? UpstreamTimeout.None
        : _boundByTotal ? UpstreamTimeout.Total
        : _responding ? UpstreamTimeout.Idle
        : UpstreamTimeout.FirstByte;

    /// <summary>Response bytes arrived, and were passed on: from now on, silence is measured by the idle timeout.</summary>
    public void Activity()
    {
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        if (_disposed || _cts.IsCancellationRequested)
        {
            // Already fired: its cause stays what it was armed with.
            return;
        }

        _responding = true;
        Arm(_idle);
    }

    /// <summary>
    /// The client is taking what the provider sent (a write or flush waiting on its backpressure): that wait is the
    /// client's, not the provider's silence, so only the total timeout runs until the next <see cref="Activity"/>.
    /// Otherwise a client reading slowly would be cut off as a stalled provider, and count against its circuit.
    /// </summary>
    public void Writing()
    {
        if (_disposed || _cts.IsCancellationRequested || (_responding && _boundByTotal))
        {
            // Fired, or already armed with what is left of the total (no timer to move).
            return;
        }

        _responding = true;
        Arm(TimeSpan.MaxValue);
    }

    public void Dispose()
    {
        // Once, even if two callers race: the source must go back (or be disposed) exactly once.
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            return;
        }

        // Waits for a client callback that is running: it cancels this source, not the next owner's.
        _client.Dispose();
        // Before the source can go to another attempt: from now on this timer reads what it saw last, and a late write
        // of this attempt's tap does not re-arm the source.
        _firedAtEnd = FiredNow;
        _disposed = true;
        if (_pool is null)
        {
            _cts.Dispose();
        }
        else
        {
            _pool.Return(_cts);
        }
    }

    private void CancelForClient()
    {
        if (_cts.IsCancellationRequested)
        {
            // A timer fired first: that stays the reason.
            return;
        }

        _clientFirst = true;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt already ended.
        }
    }

    private void Arm(TimeSpan timeout)
    {
        if (_disposed)
        {
            // A late write after the attempt ended: nothing left to time (and the source may be another attempt's now).
            return;
        }

        var left = _time.GetElapsedTime(_time.GetTimestamp(), _deadline);
        _boundByTotal = left <= timeout;
        var delay = _boundByTotal ? left : timeout;
        try
        {
            _cts.CancelAfter(delay <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : delay);
        }
        catch (ObjectDisposedException)
        {
            // A late write after the attempt ended: nothing left to time.
        }
    }
}
