using Microsoft.Net.Http.Headers;

namespace LlmGateway.Auth;

/// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c>, for gateway keys and admin tokens alike.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <returns>The token, or an empty string when the header is absent or not a bearer token.</returns>
    public static string Read(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString().AsSpan().Trim();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim().ToString() : "";
    }
}
