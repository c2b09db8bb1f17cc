using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LlmGateway.Admin;

/// <summary>
/// Admin tokens, bootstrapped from configuration and kept only as SHA-256 hashes. Lookup is by
/// hash, so comparing a presented token never walks the secrets.
/// </summary>
internal sealed class AdminTokenRegistry
{
    private readonly FrozenDictionary<string, AdminPrincipal> _byHash;

    public AdminTokenRegistry(IOptions<AdminOptions> options)
    {
        _byHash = options.Value.Tokens
            .Select(t => (Hash: HashOf(t.Value), Principal: new AdminPrincipal(t.Key, t.Value.Roles.ToFrozenSet(StringComparer.Ordinal))))
            .Where(t => t.Hash is not null)
            .ToFrozenDictionary(t => t.Hash!, t => t.Principal, StringComparer.Ordinal);
    }

    public bool IsEnabled => _byHash.Count > 0;

    public AdminPrincipal? Find(string presentedToken) =>
        _byHash.GetValueOrDefault(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(presentedToken))));

    private static string? HashOf(AdminTokenOptions token) =>
        !string.IsNullOrWhiteSpace(token.TokenSha256) ? token.TokenSha256.Trim().ToLowerInvariant()
        : !string.IsNullOrEmpty(token.Token) ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Token)))
        : null;
}
