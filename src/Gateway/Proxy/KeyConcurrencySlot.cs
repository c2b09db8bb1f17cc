namespace LlmGateway.Proxy;

/// <summary>One request's place in its key's concurrency limit; disposing it gives the place back (a refused slot holds none).</summary>
internal readonly struct KeyConcurrencySlot : IDisposable
{
    private readonly KeyConcurrencyLimiter? _owner;
    private readonly string _keyId;

    public KeyConcurrencySlot(KeyConcurrencyLimiter? owner, string keyId, bool acquired)
    {
        _owner = owner;
        _keyId = keyId;
        Acquired = acquired;
    }

    /// <summary>False when the key was already at its limit: the request must be refused.</summary>
    public bool Acquired { get; }

    public void Dispose() => _owner?.Release(_keyId);
}
