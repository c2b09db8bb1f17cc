using System.Text.Json;
using LlmGateway.Contracts.AdminTokens;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Auth;

/// <summary>
/// Admin tokens issued through the admin API, kept as gateway keys are: <c>{prefix}:{admin-token}:{sha256}</c> holds
/// the JSON record (never the secret), <c>{prefix}:{admin-token}:index</c> maps id → sha256 for listing and revoking.
/// Issuing and revoking are published (<c>admin-token|issued|sha256</c>, <c>admin-token|revoked|sha256</c>) so every
/// instance knows the token, or drops it, at once.
/// </summary>
internal sealed class AdminTokenStore(GatewayStore store, ChangeNotifier notifier, TimeProvider time, ILogger<AdminTokenStore> logger)
{
    /// <summary>The change message kind on <see cref="ChangeNotifier.Channel"/>.</summary>
    public const string ChangeKind = "admin-token";

    private const string IssuedChange = ChangeKind + "|issued|";

    private const string RevokedChange = ChangeKind + "|revoked|";

    private string TokenKey(string hash) => $"{store.Keys.Prefix}:{{admin-token}}:{hash}";

    private string IndexKey => $"{store.Keys.Prefix}:{{admin-token}}:index";

    // Who issued tokens under which name, kept after the tokens are revoked (field "name\nissuer"): a revoked token must
    // not make its name a stranger to its issuer (self-approval through a token one issued, then revoked).
    private string IssuersKey => $"{store.Keys.Prefix}:{{admin-token}}:issuers";

    /// <summary>Issues a token; the secret is returned once and never stored.</summary>
    public async Task<(AdminTokenRecord Record, string Hash, string Secret)> IssueAsync(string name, IEnumerable<string> roles, string createdBy)
    {
        var secret = AdminTokenSecret.Generate();
        var hash = GatewayKeySecret.Hash(secret);
        var record = new AdminTokenRecord(
            AdminTokenSecret.IdFromHash(hash),
            name,
            [.. roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            AdminTokenRecord.StoredSource,
            time.GetUtcNow(),
            createdBy);
        var json = JsonSerializer.SerializeToUtf8Bytes(record, GatewayJsonContext.Default.AdminTokenRecord);

        var transaction = store.Database.CreateTransaction();
        _ = transaction.StringSetAsync(TokenKey(hash), json);
        _ = transaction.HashSetAsync(IndexKey, record.Id, hash);
        _ = transaction.HashSetAsync(IssuersKey, IssuerField(name, createdBy), 1);
        await transaction.ExecuteAsync();

        // Other instances learn of it now rather than at their next reload.
        await PublishAsync(IssuedChange, hash);
        return (record, hash, secret);
    }

    /// <summary>Every stored token with the hash it is found by, oldest first.</summary>
    public async Task<IReadOnlyList<(string Hash, AdminTokenRecord Record)>> ListAsync()
    {
        var index = await store.Database.HashGetAllAsync(IndexKey);
        if (index.Length == 0)
        {
            return [];
        }

        var hashes = index.Select(e => (string)e.Value!).ToArray();
        var values = await store.Database.StringGetAsync([.. hashes.Select(h => (RedisKey)TokenKey(h))]);
        var tokens = new List<(string, AdminTokenRecord)>(hashes.Length);
        for (var i = 0; i < hashes.Length; i++)
        {
            if (values[i].IsNull)
            {
                continue;
            }

            // One record that does not read (a raw write, another version's shape) is left out, not every token with it:
            // a reload that threw would stop the gateway at start, and keep it from seeing revocations after.
            if (Read(values[i]!, out var failure) is { } record)
            {
                tokens.Add((hashes[i], record));
            }
            else
            {
                AuthLog.AdminTokenUnreadable(logger, (string)index[i].Name!, failure!);
            }
        }

        return [.. tokens.OrderBy(t => t.Item2.CreatedAt)];
    }

    /// <summary>Every (name, issuer) a token was ever issued under, revoked ones included.</summary>
    public async Task<IReadOnlyList<(string Name, string Issuer)>> IssuersAsync()
    {
        var fields = await store.Database.HashKeysAsync(IssuersKey);
        var issuers = new List<(string, string)>(fields.Length);
        foreach (var field in fields)
        {
            var text = (string)field!;
            var split = text.IndexOf('\n', StringComparison.Ordinal);
            if (split > 0)
            {
                issuers.Add((text[..split], text[(split + 1)..]));
            }
        }

        return issuers;
    }

    /// <summary>A stored record, or null with why when it does not read or lacks what every token has.</summary>
    private static AdminTokenRecord? Read(RedisValue json, out string? failure)
    {
        try
        {
            var record = JsonSerializer.Deserialize((byte[])json!, GatewayJsonContext.Default.AdminTokenRecord);
            failure = record is { Id: not null, Name: not null, Roles: not null } ? null : "a required field is missing";
            return failure is null ? record : null;
        }
        catch (JsonException ex)
        {
            failure = ex.GetType().Name;
            return null;
        }
    }

    // Names are validated (no control characters), so a newline cannot be part of one.
    private static string IssuerField(string name, string issuer) => name + "\n" + issuer;

    /// <returns>The revoked token's hash, or null when no stored token has that id.</returns>
    public async Task<string?> RevokeAsync(string id)
    {
        var hash = await store.Database.HashGetAsync(IndexKey, id);
        if (hash.IsNull)
        {
            return null;
        }

        // Who issued it outlives it (a token issued before the ledger existed is entered now, as it goes).
        var json = await store.Database.StringGetAsync(TokenKey(hash!));
        // A record that does not read is revoked all the same (its issuer then goes unrecorded).
        var record = json.IsNull ? null : Read(json!, out _);
        var transaction = store.Database.CreateTransaction();
        _ = transaction.KeyDeleteAsync(TokenKey(hash!));
        _ = transaction.HashDeleteAsync(IndexKey, id);
        if (record?.CreatedBy is { } issuer)
        {
            _ = transaction.HashSetAsync(IssuersKey, IssuerField(record.Name, issuer), 1);
        }

        await transaction.ExecuteAsync();

        await PublishAsync(RevokedChange, hash!);
        return hash;
    }

    /// <summary>Parses a change message of this kind; false for any other message.</summary>
    /// <param name="revoked">True for a revocation (drop the token now), false for a new token (reload).</param>
    public static bool TryParseChange(string message, out bool revoked, out string hash)
    {
        revoked = message.StartsWith(RevokedChange, StringComparison.Ordinal);
        var prefix = revoked ? RevokedChange : message.StartsWith(IssuedChange, StringComparison.Ordinal) ? IssuedChange : null;
        hash = prefix is null ? "" : message[prefix.Length..];
        return hash.Length > 0;
    }

    private async Task PublishAsync(string change, string hash)
    {
        // Best effort, as ChangeNotifier's: an instance that misses it converges at its next reload.
        try
        {
            await store.Connection.GetSubscriber().PublishAsync(notifier.Channel, change + hash);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The change itself is stored.
        }
    }
}
