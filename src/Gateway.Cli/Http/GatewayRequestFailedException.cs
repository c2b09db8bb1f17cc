using System.Net;

namespace LlmGateway.Cli.Http;

/// <summary>The gateway answered with a non-success status; <see cref="Error"/> is its error body when it sent one.</summary>
internal sealed class GatewayRequestFailedException(HttpStatusCode status, string? reasonPhrase, ApiError? error, string responseBody = "")
    : Exception(error?.Message ?? DescribeStatus(status, reasonPhrase))
{
    public HttpStatusCode Status { get; } = status;

    public ApiError? Error { get; } = error;

    /// <summary>The raw body, so <c>--json</c> can show scripts exactly what the gateway said.</summary>
    public string ResponseBody { get; } = responseBody;

    /// <summary>The gateway's <c>code</c>, else its <c>type</c>, else <c>http_&lt;status&gt;</c> (for a proxy's HTML error page, say).</summary>
    public string Code => Error?.Code ?? Error?.Type ?? $"http_{(int)Status}";

    public int ExitCode => ExitCodes.ForHttpStatus(Status);

    private static string DescribeStatus(HttpStatusCode status, string? reasonPhrase) =>
        $"The gateway answered HTTP {(int)status}{(string.IsNullOrEmpty(reasonPhrase) ? "" : " " + reasonPhrase)}.";
}
