using System.Security.Cryptography;
using System.Text;

namespace LlmGateway.Sampling;

/// <summary>
/// The assignment unit of a sampled request: the first 8 bytes (16 hex digits) of SHA-256 over the release's salt and
/// the request's stickiness key. The key is an X-Session-Id, a body's <c>user</c> or a gateway key's id, which can be
/// personal data: only this hash is stored. Salted per release, the same user reads as unrelated units across prompts.
/// 64 bits keep collisions negligible at any realistic count of distinct users.
/// </summary>
internal static class AssignmentUnits
{
    public static string Of(string? salt, string stickiness)
    {
        ArgumentNullException.ThrowIfNull(stickiness);
        salt ??= "";
        // The salt's length first: ("ab", "c") and ("a", "bc") must not hash alike.
        var text = string.Concat(salt.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ":", salt, stickiness);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
