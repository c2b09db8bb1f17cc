using Microsoft.Net.Http.Headers;

namespace LlmGateway.Proxy;

internal static class JsonContentType
{
    /// <summary>True for <c>application/json</c> with any parameters (charset=utf-8 is common).</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
}
