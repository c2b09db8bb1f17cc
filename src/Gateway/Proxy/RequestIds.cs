namespace LlmGateway.Proxy;

/// <summary>The id that ties a request's logs, spans, samples and response together.</summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";
    public const string UpstreamHeader = "X-Upstream-Request-Id";

    /// <summary>Keeps a well-formed client-supplied id (for end-to-end correlation), else makes one.</summary>
    public static string Ensure(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var id = IsAcceptable(incoming) ? incoming : "req_" + Guid.NewGuid().ToString("N");
        context.Response.Headers[Header] = id;
        return id;
    }

    private static bool IsAcceptable(string value)
    {
        if (value.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
