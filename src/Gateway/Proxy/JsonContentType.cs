using Microsoft.Net.Http.Headers;

namespace LlmGateway.Proxy;

internal static class JsonContentType
{
    /// <summary>True for <c>application/json</c> with any parameters (charset=utf-8 is common).</summary>
    public static bool IsJson(string? contentType) =>
        // What nearly every client sends is answered without parsing (a parse allocates); anything else is parsed.
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase)
        || (MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
}
