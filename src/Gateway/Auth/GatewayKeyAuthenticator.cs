using System.Collections.Concurrent;
using LlmGateway.Audit;
using LlmGateway.Errors;
using Microsoft.Extensions.Options;

namespace LlmGateway.Auth;

/// <summary>
/// Turns <c>Authorization: Bearer &lt;key&gt;</c> into a <see cref="GatewayKey"/>. Known keys are
/// served from an in-process cache and revalidated in the background once older than
/// <see cref="AuthOptions.CacheSeconds"/>, so no request waits on the store for a key it has
/// seen; a revocation published by the admin API evicts the key on every instance at once.
/// When the store is down, keys seen before keep working.
/// <para>
/// A revocation cannot be undone by a lookup in flight: every eviction moves a generation counter,
/// and a lookup that sees it moved between its store read and its cache insert takes its entry out
/// again and reads the store once more.
/// </para>
/// <para>
/// Only a key this instance does not know costs a store read, so only those are limited: after
/// <see cref="AuthOptions.FailedLookupsPerAddressPerMinute"/> unknown keys from one address, its further unknown keys get
/// 429 without a read until the minute ends.
/// </para>
/// </summary>
internal sealed class GatewayKeyAuthenticator(
    GatewayKeyStore keys,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<GatewayKeyAuthenticator> logger,
    ICredentialLookupHook? hook = null)
{
    // Bounds memory when clients spray random keys. Only unknown keys are ever dropped in bulk, so
    // a spray cannot evict the real keys (which must keep working if the store then goes down).
    private const int MaxUnknownKeys = 100_000;

    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private readonly KeyHashMemo _hashes = new(options.Value.RememberedKeyHashes);

    /// <summary>Secrets whose hash this instance remembers (for tests and diagnostics; never the secrets themselves).</summary>
    internal int RememberedSecrets => _hashes.Count;
    private readonly AuthOptions _options = options.Value;
    private long _evictions;
    private readonly KeyedWindowLimiter? _failedLookups = options.Value.FailedLookupsPerAddressPerMinute > 0
        ? new(time, TimeSpan.FromMinutes(1), options.Value.FailedLookupsPerAddressPerMinute)
        : null;
    private readonly string? _refusedHash = options.Value.DevKey.Enabled ? null : GatewayKeySecret.Hash(options.Value.DevKey.Key);

    // An outage is logged at most once a second, however many unknown keys arrive.
    private readonly KeyedWindowLimiter _storeFailureLogs = new(time, TimeSpan.FromSeconds(1), 1);

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpRequest request)
    {
        var secret = BearerToken.Span(request);
        if (secret.Length == 0)
        {
            return new(AuthenticationResult.Fail(GatewayError.MissingApiKey()));
        }

        var hash = _hashes.HashOf(secret, out var remembered);
        if (hash == _refusedHash)
        {
            // The published demo key, seen by a gateway not in demo mode (a store shared with a demo).
            return new(AuthenticationResult.Fail(GatewayError.InvalidApiKey()));
        }

        var now = time.GetTimestamp();
        if (_unknown.TryGetValue(hash, out var unknownUntil) && now < unknownUntil)
        {
            return new(AuthenticationResult.Fail(GatewayError.InvalidApiKey()));
        }

        if (_cache.TryGetValue(hash, out var cached))
        {
            if (now >= cached.ExpiresAt && cached.TryStartRevalidation())
            {
                // Stale but known: answer now, confirm in the background (once).
                _ = RevalidateAsync(hash, cached);
            }

            if (!remembered)
            {
                Remember(secret, hash);
            }

            return new(Result(cached.Key));
        }

        // The address and the secret as strings only on this slow path: a span cannot cross an await.
        var address = _failedLookups is null ? null : RemoteAddressKey.For(request.HttpContext.Connection.RemoteIpAddress);
        // Only an address's own window refuses it: with the table full (10,000 addresses sprayed), the shared overflow window
        // would refuse every new client's first lookup for what the spray did. Such addresses cost a read each, as before.
        if (address is not null && _failedLookups!.IsExhausted(address, out var retryAfter, overflowShares: false))
        {
            return new(AuthenticationResult.Fail(GatewayError.TooManyFailedAuthentications("API key", retryAfter)));
        }

        return AuthenticateFromStoreAsync(remembered ? null : secret.ToString(), hash, address);
    }

    private async ValueTask<AuthenticationResult> AuthenticateFromStoreAsync(string? secret, string hash, string? address)
    {
        try
        {
            var key = await LookupAsync(hash);
            if (key is not null && secret is not null)
            {
                Remember(secret, hash);
            }
            // Logged once, when the address's own window fills (an untracked address counts on the shared one, not limited).
            else if (key is null && address is not null && _failedLookups!.Hit(address) == _failedLookups.Limit
                && _failedLookups.IsExhausted(address, out _, overflowShares: false))
            {
                AuthLog.FailedLookupsLimited(logger, address, _failedLookups.Limit);
            }

            return Result(key);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Not counted against the address: the key may be valid, and behind a shared address (an ingress) a short
            // outage would then refuse every valid key not yet cached here for the rest of the minute after it ended.
            if (_storeFailureLogs.TryAcquire(nameof(AuthLog.StoreUnavailable)))
            {
                AuthLog.StoreUnavailable(logger, ex.GetType().Name);
            }

            return AuthenticationResult.Fail(GatewayError.StoreUnavailable());
        }
    }

    /// <summary>
    /// Remembers a confirmed key's hash by its secret, unless the key was evicted meanwhile: an eviction takes the key
    /// out of the cache before it forgets its secrets, so a secret remembered after that is taken back out here.
    /// </summary>
    private void Remember(ReadOnlySpan<char> secret, string hash)
    {
        _hashes.Remember(secret, hash);
        if (!_cache.ContainsKey(hash))
        {
            _hashes.Forget(secret);
        }
    }

    /// <summary>
    /// Forgets the key with this id, found among the cached ones (a revocation whose hash is no longer in the store: one
    /// retried after its first try committed and then failed before this instance forgot the key). Admin-rare: a scan.
    /// </summary>
    public void EvictKeyId(string keyId)
    {
        foreach (var (hash, cached) in _cache)
        {
            if (cached.Key.Id == keyId)
            {
                Evict(hash);
            }
        }
    }

    /// <summary>Forgets a key so its next use is checked against the store (revocation).</summary>
    public void Evict(string secretHash)
    {
        // Moved first: a lookup that read the store before this point cannot keep what it caches.
        Interlocked.Increment(ref _evictions);
        _cache.TryRemove(secretHash, out _);
        _unknown.TryRemove(secretHash, out _);
        _hashes.Forget(secretHash);
    }

    private async Task<GatewayKey?> LookupAsync(string hash)
    {
        while (true)
        {
            var generation = Interlocked.Read(ref _evictions);
            var key = await keys.FindByHashAsync(hash);
            if (hook is not null)
            {
                await hook.AfterStoreReadAsync(hash);
            }

            if (key is null)
            {
                // A key gone from the store (revoked while this instance missed the message): its secrets go too. Only
                // then: scanning the memo for every unknown key would make a spray of random keys expensive.
                if (_cache.TryRemove(hash, out _))
                {
                    _hashes.Forget(hash);
                }

                if (_unknown.Count >= MaxUnknownKeys)
                {
                    _unknown.Clear();
                }

                _unknown[hash] = time.GetTimestamp() + Ticks(_options.NegativeCacheSeconds);
                return null;
            }

            _unknown.TryRemove(hash, out _);
            var entry = new CachedKey(key, time.GetTimestamp() + Ticks(_options.CacheSeconds));
            _cache[hash] = entry;
            if (Interlocked.Read(ref _evictions) == generation)
            {
                return key;
            }

            // Something was revoked while this lookup ran, perhaps this key: what was read may be
            // stale, so the entry goes (only this one: a newer lookup's stays) and the store is asked again.
            _cache.TryRemove(new KeyValuePair<string, CachedKey>(hash, entry));
        }
    }

    private async Task RevalidateAsync(string hash, CachedKey stale)
    {
        try
        {
            await LookupAsync(hash);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Keep serving the known key while the store is away; try again on a later request.
            AuthLog.StoreUnavailable(logger, ex.GetType().Name);
            stale.EndRevalidation();
        }
    }

    private long Ticks(double seconds) => (long)(seconds * time.TimestampFrequency);

    private static AuthenticationResult Result(GatewayKey? key) =>
        key is null ? AuthenticationResult.Fail(GatewayError.InvalidApiKey()) : AuthenticationResult.Success(key);


    private sealed class CachedKey(GatewayKey key, long expiresAt)
    {
        private int _revalidating;

        public GatewayKey Key { get; } = key;

        public long ExpiresAt { get; } = expiresAt;

        public bool TryStartRevalidation() => Interlocked.Exchange(ref _revalidating, 1) == 0;

        public void EndRevalidation() => Interlocked.Exchange(ref _revalidating, 0);
    }
}
