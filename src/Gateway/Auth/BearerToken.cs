using Microsoft.Net.Http.Headers;

namespace LlmGateway.Auth;

/// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c>, for gateway keys and admin tokens alike.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <returns>The token, or an empty string when the header is absent or not a bearer token.</returns>
    public static string Read(HttpRequest request) => Span(request).ToString();

    /// <summary>The token as a view of the header's value (nothing allocated), or an empty span.</summary>
    public static ReadOnlySpan<char> Span(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString().AsSpan().Trim();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : [];
    }
}
