using System.Security.Cryptography;
using System.Text;

namespace LlmGateway.Auth;

/// <summary>
/// Gateway key secrets: 256 random bits, so an unsalted SHA-256 is a safe lookup handle
/// (there is nothing to brute-force as there would be with a password).
/// </summary>
internal static class GatewayKeySecret
{
    public const string Prefix = Contracts.Keys.SecretPrefixes.GatewayKey;

    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(ReadOnlySpan<char> secret)
    {
        Span<byte> utf8 = secret.Length <= 256 ? stackalloc byte[secret.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The public id of a key: a prefix of its hash, enough to be unique in practice.</summary>
    public static string IdFromHash(string hash) => "key_" + hash[..16];
}
