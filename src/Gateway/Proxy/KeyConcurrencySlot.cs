namespace LlmGateway.Proxy;

/// <summary>
/// One request's place in its key's concurrency limit. Disposing gives the place back, once, however many times it
/// is called: the forward stage gives it back just before the client's response ends (so a client that sends its
/// next request the moment it has this answer finds the place free), and admission again when the request unwinds.
/// A refused slot, or one taken with the limit off, holds nothing.
/// </summary>
internal sealed class KeyConcurrencySlot : IDisposable
{
    /// <summary>The limit is off: nothing to give back.</summary>
    public static readonly KeyConcurrencySlot Unlimited = new(null, "", acquired: true);

    /// <summary>The key was at its limit.</summary>
    public static readonly KeyConcurrencySlot Refused = new(null, "", acquired: false);

    private readonly KeyConcurrencyLimiter? _owner;
    private readonly string _keyId;
    private int _released;

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

    public void Dispose()
    {
        if (_owner is not null && Interlocked.Exchange(ref _released, 1) == 0)
        {
            _owner.Release(_keyId);
        }
    }
}
