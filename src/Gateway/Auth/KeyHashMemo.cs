using LlmGateway.Memory;

namespace LlmGateway.Auth;

/// <summary>
/// The SHA-256 lookup handle of keys the store has confirmed, by secret: hashing every request's key cost about
/// 2.5 µs of CPU per request under load (loadtests/RESULTS.md). The hash is a pure function of the secret, so an
/// entry is never stale; revocation still goes through the authenticator's key cache, which is keyed by the hash.
/// Only confirmed keys are remembered, so a spray of random keys cannot grow it; past <see cref="Capacity"/> it starts
/// over (keys are hashed again until remembered again). The trade-off: the secrets of keys in use stay in the
/// process's memory (a heap dump holds them), where before a secret lived only as long as its request's header.
/// A capacity of 0 (<see cref="AuthOptions.RememberedKeyHashes"/>) turns it off: every request hashes its key again.
/// </summary>
internal sealed class KeyHashMemo(int capacity = KeyHashMemo.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly BoundedMemo<string, string>? _hashes = capacity > 0 ? new(capacity, WhenFull.StartOver, StringComparer.Ordinal) : null;

    public int Count => _hashes?.Count ?? 0;

    /// <summary>The remembered hash of <paramref name="secret"/>, or its SHA-256 computed now.</summary>
    public string HashOf(ReadOnlySpan<char> secret, out bool remembered)
    {
        string? hash = null;
        remembered = _hashes is not null && _hashes.TryGet(secret, out hash);
        return remembered ? hash! : GatewayKeySecret.Hash(secret);
    }

    /// <summary>Remembers a confirmed key's hash (once); a full memo starts over.</summary>
    public void Remember(ReadOnlySpan<char> secret, string hash) => _hashes?.TryAdd(secret, hash);

    /// <summary>Forgets one secret (its key was revoked while it was being remembered).</summary>
    public void Forget(ReadOnlySpan<char> secret) => _hashes?.TryRemove(secret);

    /// <summary>Forgets the secrets of a revoked key, so they are not kept in memory once the key is gone.</summary>
    public void Forget(string hash)
    {
        if (_hashes is null)
        {
            return;
        }

        foreach (var entry in _hashes.Entries)
        {
            if (entry.Value == hash)
            {
                _hashes.TryRemove(entry);
            }
        }
    }
}
