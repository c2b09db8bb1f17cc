using System.Collections.Concurrent;

namespace LlmGateway.Auth;

/// <summary>
/// The SHA-256 lookup handle of keys the store has confirmed, by secret: hashing every request's key cost about
/// 2.5 µs of CPU per request under load (loadtests/RESULTS.md). The hash is a pure function of the secret, so an
/// entry is never stale; revocation still goes through the authenticator's key cache, which is keyed by the hash.
/// Only confirmed keys are remembered, and at most <see cref="Capacity"/> of them, so a spray of random keys cannot
/// grow it; the secrets it holds are those the process already reads from every request's header.
/// </summary>
internal sealed class KeyHashMemo
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public KeyHashMemo() => _bySpan = _hashes.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _hashes.Count;

    /// <summary>The remembered hash of <paramref name="secret"/>, or its SHA-256 computed now.</summary>
    public string HashOf(ReadOnlySpan<char> secret, out bool remembered)
    {
        remembered = _bySpan.TryGetValue(secret, out var hash);
        return remembered ? hash! : GatewayKeySecret.Hash(secret);
    }

    /// <summary>Remembers a confirmed key's hash (once; nothing past <see cref="Capacity"/>).</summary>
    public void Remember(ReadOnlySpan<char> secret, string hash)
    {
        if (_hashes.Count < Capacity)
        {
            _bySpan.TryAdd(secret, hash);
        }
    }

    /// <summary>Forgets the secrets of a revoked key, so they are not kept in memory once the key is gone.</summary>
    public void Forget(string hash)
    {
        foreach (var entry in _hashes)
        {
            if (entry.Value == hash)
            {
                _hashes.TryRemove(entry);
            }
        }
    }
}
