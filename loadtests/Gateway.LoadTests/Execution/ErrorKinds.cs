using System.Globalization;
using System.Net;

namespace LlmGateway.LoadTests.Execution;

/// <summary>The names failed requests are counted under, in the text table and the JSON alike.</summary>
internal static class ErrorKinds
{
    /// <summary>No complete response within <c>--timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>Could not connect, or the connection dropped before the response was complete.</summary>
    public const string Connection = "connection";

    /// <summary>The server broke HTTP or sent SSE/JSON that does not parse.</summary>
    public const string Protocol = "protocol";

    /// <summary>A stream that ended cleanly but without <c>data: [DONE]</c>.</summary>
    public const string IncompleteStream = "incomplete_stream";

    /// <summary>A <c>prompt:</c> response without <c>X-Prompt-Version</c> and <c>X-Prompt-Variant</c>.</summary>
    public const string MissingPromptHeaders = "missing_prompt_headers";

    /// <summary>A stream that ended with <c>[DONE]</c> but with another number of content chunks than expected.</summary>
    public const string WrongChunkCount = "wrong_chunk_count";

    /// <summary>Anything not foreseen above; a later engineer should give it a name of its own.</summary>
    public const string Other = "other";

    public static string HttpStatus(HttpStatusCode status) => string.Create(CultureInfo.InvariantCulture, $"http_{(int)status}");

    public static string Of(HttpRequestError error) => error switch
    {
        HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError or HttpRequestError.ResponseEnded => Connection,
        HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse or HttpRequestError.VersionNegotiationError
            or HttpRequestError.ConfigurationLimitExceeded => Protocol,
        _ => Other,
    };
}
