using System.Security.Cryptography;

namespace LlmGateway.Auth;

/// <summary>
/// Secrets of admin tokens issued through the admin API: 256 random bits like gateway keys, hashed the same way
/// (<see cref="GatewayKeySecret.Hash"/>, the SHA-256 the configuration tokens use too), with their own prefix.
/// </summary>
internal static class AdminTokenSecret
{
    public const string Prefix = Contracts.Keys.SecretPrefixes.AdminToken;

    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The public id of a stored token: a prefix of its hash.</summary>
    public static string IdFromHash(string hash) => "adm_" + hash[..16];
}
