namespace LlmGateway.Contracts.Keys;

/// <summary>
/// How the secrets the gateway issues begin, so that both sides can tell a secret from an id (<c>key_…</c>,
/// <c>adm_…</c>) and refuse one where an id belongs: it is never echoed, audited or traced.
/// </summary>
public static class SecretPrefixes
{
    public const string GatewayKey = "gwk_";
    public const string AdminToken = "gwa_";

    /// <summary>A value that begins, after any white space or quotes a paste brought with it, like an issued secret.</summary>
    public static bool IsSecretShaped(ReadOnlySpan<char> value)
    {
        value = value.Trim().Trim("\"'").Trim();
        return value.StartsWith(GatewayKey, StringComparison.Ordinal) || value.StartsWith(AdminToken, StringComparison.Ordinal);
    }

    /// <summary>
    /// A value where an id belongs that holds an issued secret anywhere: a paste brings more than the secret (quotes,
    /// <c>Bearer </c>, <c>OPENAI_API_KEY=</c>), and no id the gateway issues (<c>key_…</c>, <c>adm_…</c>) holds either
    /// prefix. (A prompt's name may: names are checked with <see cref="IsSecretShaped"/>.)
    /// </summary>
    public static bool IsSecretWhereIdBelongs(ReadOnlySpan<char> value) => ContainsSecret(value);

    /// <summary>A text (a request path) that holds an issued secret anywhere.</summary>
    public static bool ContainsSecret(ReadOnlySpan<char> text) =>
        text.Contains(GatewayKey, StringComparison.Ordinal) || text.Contains(AdminToken, StringComparison.Ordinal);
}
