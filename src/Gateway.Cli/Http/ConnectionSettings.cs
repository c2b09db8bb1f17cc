namespace LlmGateway.Cli.Http;

/// <summary>
/// Where the gateway is and how to authenticate to it. A class rather than a record on purpose:
/// a record's generated <c>ToString</c> would print the token.
/// </summary>
internal sealed class ConnectionSettings
{
    public const string UrlVariable = "GATEWAY_URL";
    public const string TokenVariable = "GATEWAY_ADMIN_TOKEN";

    private ConnectionSettings(Uri baseUri, string token)
    {
        BaseUri = baseUri;
        Token = token;
    }

    /// <summary>The gateway's base URL, without a trailing slash, e.g. <c>http://127.0.0.1:8080</c> or <c>https://host/gateway</c>.</summary>
    public Uri BaseUri { get; }

    public string Token { get; }

    /// <summary>Flags win over the environment; an empty value counts as not set.</summary>
    public static ConnectionSettings Resolve(string? urlFlag, string? tokenFlag, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);

        var url = FirstNonEmpty(urlFlag, environment.GetValueOrDefault(UrlVariable))
            ?? throw new UsageException($"No gateway URL: set {UrlVariable} or pass --url (e.g. http://127.0.0.1:8080).", "missing_configuration");
        var token = FirstNonEmpty(tokenFlag, environment.GetValueOrDefault(TokenVariable))
            ?? throw new UsageException($"No admin token: set {TokenVariable} or pass --token.", "missing_configuration");

        return new ConnectionSettings(ParseBaseUri(url), ValidateToken(token));
    }

    /// <summary>The absolute URI of an admin route such as <c>/admin/v1/prompts</c>, keeping any path prefix of the base URL.</summary>
    public Uri UriFor(string pathAndQuery) => new(BaseUri.AbsoluteUri.TrimEnd('/') + pathAndQuery, UriKind.Absolute);

    public override string ToString() => BaseUri.AbsoluteUri.TrimEnd('/');

    internal static Uri ParseBaseUri(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"The gateway URL '{url}' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080).", "invalid_configuration");
        }

        // Credentials in the URL would be shown in messages and --verbose output; the token has its own setting.
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new UsageException($"The gateway URL must not contain credentials; use {TokenVariable} or --token.", "invalid_configuration");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new UsageException("The gateway URL must not have a query or a fragment.", "invalid_configuration");
        }

        return uri;
    }

    private static string ValidateToken(string token)
    {
        // A header with a control character or space would be rejected by HttpClient with a message
        // that may quote the value; refuse it here without ever echoing it.
        foreach (var c in token)
        {
            if (c <= ' ' || c > '~')
            {
                throw new UsageException("The admin token contains whitespace or characters that cannot be sent in an HTTP header.", "invalid_configuration");
            }
        }

        return token;
    }

    private static string? FirstNonEmpty(string? first, string? second) =>
        !string.IsNullOrWhiteSpace(first) ? first.Trim()
        : !string.IsNullOrWhiteSpace(second) ? second.Trim()
        : null;
}
