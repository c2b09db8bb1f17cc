using System.Text.Json;
using LlmGateway.Contracts.Keys;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Auth;

/// <summary>Gateway keys in the store: <c>{prefix}:{key}:{sha256}</c> holds the JSON record.</summary>
internal sealed class GatewayKeyStore(GatewayStore store, ChangeNotifier notifier, TimeProvider time, ILogger<GatewayKeyStore> logger)
{
    /// <summary>Issues a new key; the secret is returned once and never stored.</summary>
    public async Task<(GatewayKey Key, string Secret)> CreateAsync(string app, string environment, IEnumerable<string> permissions, KeyLimits? limits = null)
    {
        var secret = GatewayKeySecret.Generate();
        var key = await RegisterAsync(secret, app, environment, permissions, limits);
        return (key, secret);
    }

    /// <summary>Stores a key for a secret chosen elsewhere (the demo key). Idempotent.</summary>
    public async Task<GatewayKey> RegisterAsync(string secret, string app, string environment, IEnumerable<string> permissions, KeyLimits? limits = null)
    {
        var hash = GatewayKeySecret.Hash(secret);
        var key = new GatewayKey(GatewayKeySecret.IdFromHash(hash), app, environment, [.. permissions.Distinct(StringComparer.Ordinal)], time.GetUtcNow())
        {
            Limits = limits is { IsEmpty: false } ? limits : null,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(key, GatewayJsonContext.Default.GatewayKey);

        var transaction = store.Database.CreateTransaction();
        _ = transaction.StringSetAsync(store.Keys.GatewayKey(hash), json);
        _ = transaction.HashSetAsync(store.Keys.GatewayKeyIndex, key.Id, hash);
        await transaction.ExecuteAsync();
        return key;
    }

    /// <summary>
    /// The key with that secret hash; null when there is none, or when its record does not read (a raw write, another
    /// version's shape): a key whose environment and limits cannot be known is refused, never served without them.
    /// </summary>
    public async Task<GatewayKey?> FindByHashAsync(string hash)
    {
        var value = await store.Database.StringGetAsync(store.Keys.GatewayKey(hash));
        if (value.IsNull)
        {
            return null;
        }

        string failure;
        try
        {
            if (JsonSerializer.Deserialize((byte[])value!, GatewayJsonContext.Default.GatewayKey) is { Id: not null, App: not null, Environment: not null, Permissions: not null } key)
            {
                return key;
            }

            failure = "a required field is missing";
        }
        catch (JsonException ex)
        {
            failure = ex.GetType().Name;
        }

        AuthLog.GatewayKeyUnreadable(logger, GatewayKeySecret.IdFromHash(hash), failure);
        return null;
    }

    public async Task<IReadOnlyList<GatewayKey>> ListAsync()
    {
        var index = await store.Database.HashGetAllAsync(store.Keys.GatewayKeyIndex);
        var keys = new List<GatewayKey>(index.Length);
        foreach (var entry in index)
        {
            if (await FindByHashAsync(entry.Value!) is { } key)
            {
                keys.Add(key);
            }
        }

        return [.. keys.OrderBy(k => k.CreatedAt)];
    }

    /// <returns>
    /// The revoked key's secret hash, for the caller to evict from this instance's cache at once (the published change
    /// is best effort); null when no key has that id.
    /// </returns>
    public async Task<string?> RevokeAsync(string id)
    {
        var hash = await store.Database.HashGetAsync(store.Keys.GatewayKeyIndex, id);
        if (hash.IsNull)
        {
            return null;
        }

        var transaction = store.Database.CreateTransaction();
        _ = transaction.KeyDeleteAsync(store.Keys.GatewayKey(hash!));
        _ = transaction.HashDeleteAsync(store.Keys.GatewayKeyIndex, id);
        await transaction.ExecuteAsync();

        // Every instance drops the key from its cache now, not at its next revalidation.
        await notifier.PublishKeyChangedAsync(hash!);
        return hash;
    }
}
