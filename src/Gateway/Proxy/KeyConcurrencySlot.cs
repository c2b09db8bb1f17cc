namespace LlmGateway.Proxy;

/// <summary>
/// One request's place in its key's concurrency limit. Disposing gives the place back, once, however many times it
/// is called: the forward stage gives it back just before the client's response ends (so a client that sends its
/// next request the moment it has this answer finds the place free), and admission again when the request unwinds.
/// A refused slot, or one taken with the limit off, holds nothing. A request whose provider may still be generating
/// after the request ended keeps its place a while longer (<see cref="ReleaseAfter"/>); disposing it then does nothing.
/// </summary>
internal sealed class KeyConcurrencySlot : IDisposable
{
    /// <summary>The limit is off: nothing to give back.</summary>
    public static readonly KeyConcurrencySlot Unlimited = new(null, "", acquired: true);

    /// <summary>The key was at its limit.</summary>
    public static readonly KeyConcurrencySlot Refused = new(null, "", acquired: false);

    private const int Held = 0;
    private const int Released = 1;
    private const int ReleasePending = 2;

    private readonly KeyConcurrencyLimiter? _owner;
    private readonly string _keyId;
    private int _state;

    // The pending release's timer. Kept here, not only in a local: an ITimer nothing references can be collected, and a
    // collected timer never fires (the place would never come back). The timer's own state is this slot, so the two keep
    // each other alive exactly while the release is pending.
    private ITimer? _releaseTimer;

    public KeyConcurrencySlot(KeyConcurrencyLimiter? owner, string keyId, bool acquired)
    {
        _owner = owner;
        _keyId = keyId;
        Acquired = acquired;
    }

    /// <summary>False when the key was already at its limit: the request must be refused.</summary>
    public bool Acquired { get; }

    /// <summary>True when this slot holds a place that disposing gives back.</summary>
    public bool HoldsPlace => _owner is not null;

    /// <summary>
    /// Gives the place back only after <paramref name="delay"/> (on the limiter's time provider), not now: the request
    /// ended, but its provider may still be generating an answer nobody waits for, and the key's cap is on generations,
    /// not on connections. Until then <see cref="Dispose"/> does nothing. A slot already given back, or already waiting,
    /// is left as it is; a delay of zero or less gives it back at once.
    /// </summary>
    public void ReleaseAfter(TimeSpan delay)
    {
        if (_owner is null)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            Dispose();
            return;
        }

        if (Interlocked.CompareExchange(ref _state, ReleasePending, Held) != Held)
        {
            return;
        }

        // Without the request's execution context (its Activity, its scope): the timer would hold them for the delay.
        using (ExecutionContext.SuppressFlow())
        {
            Volatile.Write(ref _releaseTimer, _owner.Time.CreateTimer(static slot => ((KeyConcurrencySlot)slot!).ReleasePendingPlace(), this, delay, Timeout.InfiniteTimeSpan));
        }
    }

    public void Dispose()
    {
        if (_owner is not null && Interlocked.CompareExchange(ref _state, Released, Held) == Held)
        {
            _owner.Release(_keyId);
        }
    }

    private void ReleasePendingPlace()
    {
        if (Interlocked.CompareExchange(ref _state, Released, ReleasePending) == ReleasePending)
        {
            _owner!.Release(_keyId);
            // A timer that fires before ReleaseAfter stored it is not disposed here: a one-shot timer that has fired
            // holds nothing.
            Interlocked.Exchange(ref _releaseTimer, null)?.Dispose();
        }
    }
}
