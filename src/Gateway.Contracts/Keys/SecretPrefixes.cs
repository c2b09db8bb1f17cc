namespace LlmGateway.Contracts.Keys;

/// <summary>
/// How the secrets the gateway issues begin, so that both sides can tell a secret from an id (<c>key_…</c>,
/// <c>adm_…</c>) and refuse one where an id belongs: it is never echoed, audited or traced.
/// </summary>
public static class SecretPrefixes
{
    public const string GatewayKey = "gwk_";
    public const string AdminToken = "gwa_";

    /// <summary>
    /// A value holding an issued secret as a word of its own: at its start, or after any white space (a non-breaking space
    /// too), a quote, an opening bracket, '=', ':', '+' or ',' (a paste's <c>Bearer gwk_…</c>, <c>KEY=gwk_…</c>). A name's
    /// own letters (<c>x-gwk_summary</c>) are not one.
    /// </summary>
    public static bool IsSecretShaped(ReadOnlySpan<char> value)
    {
        foreach (var prefix in (ReadOnlySpan<string>)[GatewayKey, AdminToken])
        {
            for (var at = value.IndexOf(prefix, StringComparison.Ordinal); at >= 0;)
            {
                if (at == 0 || char.IsWhiteSpace(value[at - 1]) || value[at - 1] is '"' or '\'' or '`' or '=' or ':' or '+' or ',' or '(' or '<' or '[' or '{')
                {
                    return true;
                }

                var next = value[(at + 1)..].IndexOf(prefix, StringComparison.Ordinal);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }

        return false;
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
