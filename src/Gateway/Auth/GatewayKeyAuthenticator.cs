using System.Collections.Concurrent;
using LlmGateway.Errors;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LlmGateway.Auth;

/// <summary>
/// Turns <c>Authorization: Bearer &lt;key&gt;</c> into a <see cref="GatewayKey"/>. Verified keys are
/// cached in-process so the store is off the hot path; when the store is down, a key seen
/// before keeps working from the cache rather than failing every request.
/// </summary>
internal sealed class GatewayKeyAuthenticator(
    GatewayKeyStore keys,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<GatewayKeyAuthenticator> logger)
{
    // Bounds memory when clients spray random keys; clearing only costs store lookups.
    private const int MaxCachedKeys = 100_000;

    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly AuthOptions _options = options.Value;

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpRequest request)
    {
        var secret = ReadBearer(request);
        if (secret.IsEmpty)
        {
            return AuthenticationResult.Fail(GatewayError.MissingApiKey());
        }

        var hash = GatewayKeySecret.Hash(secret);
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(hash, out var cached) && now < cached.ExpiresAt)
        {
            return cached.Key is null ? AuthenticationResult.Fail(GatewayError.InvalidApiKey()) : AuthenticationResult.Success(cached.Key);
        }

        GatewayKey? key;
        try
        {
            key = await keys.FindByHashAsync(hash);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            AuthLog.StoreUnavailable(logger, ex.GetType().Name);
            return cached?.Key is { } stale
                ? AuthenticationResult.Success(stale)
                : AuthenticationResult.Fail(GatewayError.StoreUnavailable());
        }

        if (_cache.Count >= MaxCachedKeys)
        {
            _cache.Clear();
        }

        var ttl = key is null ? _options.NegativeCacheSeconds : _options.CacheSeconds;
        _cache[hash] = new CachedKey(key, now + (long)(ttl * (double)time.TimestampFrequency));
        return key is null ? AuthenticationResult.Fail(GatewayError.InvalidApiKey()) : AuthenticationResult.Success(key);
    }

    private static ReadOnlySpan<char> ReadBearer(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString().AsSpan().Trim();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : [];
    }

    private sealed record CachedKey(GatewayKey? Key, long ExpiresAt);
}
