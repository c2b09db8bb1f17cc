using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Contracts.AdminTokens;
using Microsoft.Extensions.Options;

namespace LlmGateway.Admin;

/// <summary>
/// Admin tokens, kept only as SHA-256 hashes: the bootstrap ones from configuration, fixed for the life of the
/// process, and those issued through the admin API (<see cref="AdminTokenStore"/>), held in memory as an immutable
/// snapshot. Lookup is by hash and never waits on the store, so comparing a presented token never walks the
/// secrets and a flood of wrong tokens costs the store nothing.
/// <para>
/// The stored snapshot is reloaded by <see cref="AdminTokenSyncService"/> (at start, on every published change,
/// periodically); a revocation removes the token at once (<see cref="Evict"/>). A reload cannot bring back a token
/// revoked while it read the store: every change moves a generation counter, and a reload that sees it moved
/// between its read and its swap reads again.
/// </para>
/// </summary>
internal sealed class AdminTokenRegistry
{
    private const int MaxReloadAttempts = 5;

    private readonly FrozenDictionary<string, AdminPrincipal> _byHash;
    private readonly AdminTokenRecord[] _configured;
    private readonly ICredentialLookupHook? _hook;
    private readonly Lock _gate = new();
    private FrozenDictionary<string, StoredToken> _stored = FrozenDictionary<string, StoredToken>.Empty;

    // Who ever issued a token under each name, revoked tokens included (AdminTokenStore.IssuersAsync): only grows.
    private FrozenDictionary<string, string[]> _issuers = FrozenDictionary<string, string[]>.Empty;
    private long _generation;

    public AdminTokenRegistry(IOptions<AdminOptions> options, ICredentialLookupHook? hook = null)
    {
        _hook = hook;
        var configured = options.Value.Tokens
            .Select(t => (Hash: HashOf(t.Value), Principal: new AdminPrincipal(t.Key, t.Value.Roles.ToFrozenSet(StringComparer.Ordinal))))
            .Where(t => t.Hash is not null)
            .ToList();
        _byHash = configured.ToFrozenDictionary(t => t.Hash!, t => t.Principal, StringComparer.Ordinal);
        SpanningTokenBound = options.Value.Tokens.Values.Aggregate(0, static (bound, token) =>
            !string.IsNullOrEmpty(token.Token) ? token.Token.Contains('/', StringComparison.Ordinal) ? Math.Max(bound, token.Token.Length + PasteSlack) : bound
            : !string.IsNullOrWhiteSpace(token.TokenSha256) ? Math.Max(bound, HashedTokenBound)
            : bound);
        _configured = [.. configured
            .OrderBy(t => t.Principal.Name, StringComparer.Ordinal)
            .Select(t => new AdminTokenRecord(ConfiguredId(t.Principal.Name), t.Principal.Name, [.. t.Principal.Roles.Order(StringComparer.Ordinal)], AdminTokenRecord.ConfigurationSource, null, null))];
    }

    /// <summary>
    /// False when no token is configured: the admin API is then disabled, stored tokens included, so a gateway is
    /// never administrable by accident (say, started without configuration on a store another deployment uses).
    /// </summary>
    public bool IsEnabled => _byHash.Count > 0;

    /// <summary>
    /// The longest text an admin path's run of segments needs to be for a configuration token holding '/' to span it
    /// (with what a paste brings along); 0 when no configured token can hold '/'. A token given only by its hash may:
    /// up to <see cref="HashedTokenBound"/> characters. Issued tokens never hold '/'.
    /// </summary>
    public int SpanningTokenBound { get; }

    private const int PasteSlack = 64;
    private const int HashedTokenBound = 512;

    /// <summary>
    /// Whether <paramref name="value"/> is a secret where an id belongs: an issued one by its prefix, or a configuration
    /// token, which can be any string, by lookup (a hash). A route value keeps the <c>%2F</c> the server does not decode
    /// (a token holding '/', as base64 ones do, escaped as one path segment by gatewayctl): it is also tried unescaped.
    /// </summary>
    public bool IsSecret(string? value) =>
        value is { Length: > 0 } && (IsSecretAsSent(value) || (value.Contains('%', StringComparison.Ordinal) && IsSecretAsSent(Uri.UnescapeDataString(value))));

    private bool IsSecretAsSent(string value) =>
        Contracts.Keys.SecretPrefixes.IsSecretWhereIdBelongs(value) || Find(value) is not null || HoldsConfiguredToken(value);

    // A configuration token pasted with what surrounded it (quotes, "Bearer ", "NAME=", a new line): each word is
    // looked up too, the first few only (a hash each; the value is one path segment of an admin request). A token may
    // itself hold '=' or ':' (base64 padding): a word is tried whole, after its first '=' or ':', and without a trailing
    // ':' or ',' or ';'.
    private bool HoldsConfiguredToken(string value)
    {
        foreach (var word in value.Split(PasteSeparators, 16, StringSplitOptions.RemoveEmptyEntries))
        {
            var afterEquals = word.IndexOf('=', StringComparison.Ordinal) is var equals and >= 0 ? word[(equals + 1)..] : null;
            var afterColon = word.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? word[(colon + 1)..] : null;
            foreach (var candidate in (string?[])[word, afterEquals, afterColon, word.TrimEnd(':', ',', ';')])
            {
                if (candidate is { Length: > 0 } && candidate.Length < value.Length && Find(candidate) is not null)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static readonly char[] PasteSeparators = [' ', '\t', '\r', '\n', '"', '\'', '`', ','];

    public AdminPrincipal? Find(string presentedToken)
    {
        var hash = GatewayKeySecret.Hash(presentedToken);
        return _byHash.GetValueOrDefault(hash) ?? Volatile.Read(ref _stored).GetValueOrDefault(hash)?.Principal;
    }

    /// <summary>The configuration tokens, then the stored ones (oldest first): never a secret.</summary>
    public IReadOnlyList<AdminTokenRecord> List() =>
        [.. _configured, .. Volatile.Read(ref _stored).Values.Select(t => t.Record).OrderBy(r => r.CreatedAt)];

    /// <summary>
    /// Whether <paramref name="issuer"/> may issue a token named <paramref name="name"/>: a name no one holds, its own
    /// (a token rotating itself), or one whose holders it issued, directly or through tokens it issued (rotation by the
    /// issuer). A token acts under its name in bundles, approvals, history and the audit log, so a name held by someone
    /// else (a configuration token's, or another's issued one) would let its issuer act as that person.
    /// </summary>
    public bool IsNameFree(string name, string issuer)
    {
        var listed = List();
        // A name that differs from a held one only in letter case would pass for it in history and the audit log.
        if (listed.Any(t => !string.Equals(t.Name, name, StringComparison.Ordinal) && string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var holders = listed.Where(t => t.Name == name).ToList();
        return issuer == name
            || holders.Count == 0
            || (holders.TrueForAll(t => t.Source == AdminTokenRecord.StoredSource) && IssuersOfLiveTokens(holders).Contains(issuer));
    }

    /// <summary>
    /// Who issued these live tokens, and who issued the tokens that issued them, token by token: a token's issuer counts
    /// only as a configuration token, or through its own live tokens that existed when it issued this one. By name alone,
    /// a name revoked and taken by someone else since would make its new holder the issuer of every token the old holder
    /// issued. (So after a token rotates itself and its old one is revoked, the new one does not rotate what the old one
    /// issued: whoever issued those, further up, still can.)
    /// </summary>
    private HashSet<string> IssuersOfLiveTokens(List<AdminTokenRecord> holders)
    {
        var stored = Volatile.Read(ref _stored).Values.Select(t => t.Record).ToList();
        var issuers = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var next = new Queue<AdminTokenRecord>(holders);
        while (next.TryDequeue(out var token) && visited.Count < MaxLineage)
        {
            if (!visited.Add(token.Id) || token.CreatedBy is not { } issuer)
            {
                continue;
            }

            var issuing = stored.Where(t => t.Name == issuer && t.CreatedAt <= token.CreatedAt).ToList();
            if (issuing.Count > 0 || Array.Exists(_configured, t => t.Name == issuer))
            {
                issuers.Add(issuer);
            }

            foreach (var older in issuing)
            {
                next.Enqueue(older);
            }
        }

        return issuers;
    }

    // Issued tokens issuing tokens: past this many, the walk for who may rotate a name stops (fewer may rotate it: the
    // safe side). The walk for self-approval has no cap.
    private const int MaxLineage = 64;

    /// <summary>
    /// <paramref name="name"/> and whoever issued its tokens, and who issued theirs, up to a configuration token: the
    /// people an issued token acts for. Two names whose lineages meet are one person's (self-approval through a token
    /// one issued oneself). A revoked token's issuer is still known (the store keeps who issued under each name), so
    /// revoking the token one pushed a version through does not make one a stranger to it.
    /// </summary>
    public IReadOnlySet<string> Lineage(string name)
    {
        var stored = Volatile.Read(ref _stored).Values.Select(t => t.Record).ToList();
        var ledger = Volatile.Read(ref _issuers);
        var lineage = new HashSet<string>(StringComparer.Ordinal);
        var next = new Queue<string>([name]);
        // No cap on the walk (the visited set ends it; it is bounded by the names there are): a cap would let a long
        // enough chain of tokens, each issuing the next, end as a stranger to the one who began it.
        while (next.TryDequeue(out var current))
        {
            if (!lineage.Add(current))
            {
                continue;
            }

            var issuers = stored.Where(t => t.Name == current && t.CreatedBy is not null).Select(t => t.CreatedBy!)
                .Concat(ledger.GetValueOrDefault(current) ?? []);
            foreach (var issuer in issuers.Distinct(StringComparer.Ordinal))
            {
                next.Enqueue(issuer);
            }
        }

        return lineage;
    }

    /// <summary>The id under which a configuration token is listed; such a token is not revocable through the API.</summary>
    public static string ConfiguredId(string name) => "config:" + name;

    /// <summary>A token just issued on this instance: usable here at once, before any reload.</summary>
    public void Add(string hash, AdminTokenRecord record)
    {
        Change(stored => stored[hash] = new StoredToken(record));
        RememberIssuer(record);
    }

    /// <summary>Forgets a stored token at once (its revocation, here or published by another instance).</summary>
    public void Evict(string hash)
    {
        // Who issued it outlives it here as in the store (AdminTokenStore.RevokeAsync enters it there).
        if (Volatile.Read(ref _stored).GetValueOrDefault(hash)?.Record is { } record)
        {
            RememberIssuer(record);
        }

        Change(stored => stored.Remove(hash));
    }

    private void RememberIssuer(AdminTokenRecord record)
    {
        if (record.CreatedBy is { } issuer)
        {
            lock (_gate)
            {
                AddIssuers([(record.Name, issuer)]);
            }
        }
    }

    /// <summary>Adds (name, issuer) pairs to the ledger, which only grows. Under <see cref="_gate"/>.</summary>
    private void AddIssuers(IEnumerable<(string Name, string Issuer)> added) =>
        Volatile.Write(ref _issuers, _issuers.SelectMany(e => e.Value.Select(issuer => (Name: e.Key, Issuer: issuer)))
            .Concat(added)
            .GroupBy(e => e.Name, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(e => e.Issuer).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal));

    /// <summary>Replaces the stored snapshot with what the store holds now.</summary>
    public async Task ReloadAsync(AdminTokenStore store)
    {
        for (var attempt = 0; attempt < MaxReloadAttempts; attempt++)
        {
            var generation = Interlocked.Read(ref _generation);
            var tokens = await store.ListAsync();
            if (_hook is not null)
            {
                foreach (var (hash, _) in tokens)
                {
                    await _hook.AfterStoreReadAsync(hash);
                }
            }

            var snapshot = tokens.ToFrozenDictionary(t => t.Hash, t => new StoredToken(t.Record), StringComparer.Ordinal);
            var issuers = await store.IssuersAsync();
            lock (_gate)
            {
                // Merged, not replaced: what was issued here meanwhile is kept (a read may predate an issue).
                AddIssuers(issuers);

                // A token issued or revoked while the store was read: what was read may predate it, so read again.
                if (_generation == generation)
                {
                    Volatile.Write(ref _stored, snapshot);
                    return;
                }
            }
        }

        // Changes kept coming: the snapshot as changed in place stays; the next reload tries again.
    }

    private void Change(Action<Dictionary<string, StoredToken>> change)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            var next = new Dictionary<string, StoredToken>(_stored, StringComparer.Ordinal);
            change(next);
            Volatile.Write(ref _stored, next.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }

    private static string? HashOf(AdminTokenOptions token) =>
        !string.IsNullOrWhiteSpace(token.TokenSha256) ? token.TokenSha256.Trim().ToLowerInvariant()
        : !string.IsNullOrEmpty(token.Token) ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Token)))
        : null;

    private sealed class StoredToken(AdminTokenRecord record)
    {
        public AdminTokenRecord Record { get; } = record;

        public AdminPrincipal Principal { get; } = new(record.Name, record.Roles.ToFrozenSet(StringComparer.Ordinal));
    }
}
