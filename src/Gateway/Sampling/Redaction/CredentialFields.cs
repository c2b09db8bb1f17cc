using System.Buffers;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// Fields that carry a credential by their name, whatever their value looks like: an MCP tool's <c>authorization</c>
/// and <c>headers</c>, a token endpoint's <c>access_token</c>, a config's <c>password</c>. A pattern cannot know an
/// OAuth token or a vendor's key from its text; the field it sits in says what it is.
/// </summary>
internal static class CredentialFields
{
    // The longest name read: past it only the end is compared, which is all the suffixes need.
    private const int LongestName = 128;

    // Names (lower case, without '-' and '_') ending in one of these: access_token, x-auth-token, client_secret,
    // db_password, x-api-key, OPENAI_API_KEY, Ocp-Apim-Subscription-Key, proxy-authorization, set-cookie. No request
    // parameter of the APIs the gateway serves ends in one ("max_tokens" is plural, "prompt_cache_key" has no "api").
    private static readonly string[] Suffixes =
    [
        "token", "secret", "password", "passwd", "apikey", "subscriptionkey", "privatekey", "secretkey",
        "accesskey", "accountkey", "connectionstring", "authorization", "cookie", "credential", "credentials",
    ];

    /// <summary>
    /// What a text holding such a field must contain, in any case: the cheap check that lets most text skip the scan
    /// for field names.
    /// </summary>
    public static readonly SearchValues<string> Stems = SearchValues.Create(
        ["token", "secret", "passw", "key", "authorization", "cookie", "credential", "headers", "server_url", "connectionstring", "connection_string"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>The field's value is a credential: replaced whole (a string; a number in a JSON tree).</summary>
    public static bool IsCredential(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        if (name.Length > LongestName)
        {
            name = name[^LongestName..];
        }

        Span<char> normalized = stackalloc char[name.Length];
        var length = 0;
        foreach (var c in name)
        {
            if (c is not ('-' or '_'))
            {
                normalized[length++] = char.ToLowerInvariant(c);
            }
        }

        normalized = normalized[..length];
        foreach (var suffix in Suffixes)
        {
            if (normalized.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// An object of this name is a map of HTTP headers (an MCP tool's, a webhook's): every value in it is replaced, as a
    /// server's own header names (<c>X-Dropbox-Auth</c>) cannot all be known. An array of this name (a table's column
    /// names) is not one.
    /// </summary>
    public static bool IsHeaderMap(ReadOnlySpan<char> name) => name.Equals("headers", StringComparison.OrdinalIgnoreCase);

    /// <summary>An MCP tool's server address, whose path or query often is its credential (<c>/s/8f2c…/mcp</c>, <c>?key=</c>).</summary>
    public static bool IsServerUrl(ReadOnlySpan<char> name) => name.Equals("server_url", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Where the part of <paramref name="url"/> to replace starts: after the scheme and host (and port) and the slash
    /// that follows them; after the scheme when a user and password come before the host (the three go together); 0
    /// when it is not an absolute URL; <paramref name="url"/>'s length when there is nothing after the host.
    /// </summary>
    public static int UrlSecretStart(ReadOnlySpan<char> url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0 || !char.IsAsciiLetter(url[0]))
        {
            return 0;
        }

        var hostStart = scheme + 3;
        var hostLength = url[hostStart..].IndexOfAny('/', '?', '#');
        var hostEnd = hostLength < 0 ? url.Length : hostStart + hostLength;
        if (url[hostStart..hostEnd].Contains('@'))
        {
            return hostStart;
        }

        if (hostEnd == hostStart)
        {
            return 0;
        }

        if (hostEnd < url.Length && url[hostEnd] == '/')
        {
            hostEnd++;
        }

        return hostEnd;
    }
}
