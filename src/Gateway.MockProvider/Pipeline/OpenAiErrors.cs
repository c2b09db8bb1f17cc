using System.Text.Json;
using LlmGateway.MockProvider.Contracts;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>Writes errors in the OpenAI shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class OpenAiErrors
{
    public const string InvalidRequestType = "invalid_request_error";

    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? code = null, string? param = null)
    {
        context.Response.StatusCode = status;
        // A content type the response-headers knob set stays (a provider that labels its error an event stream).
        return context.Response.WriteAsJsonAsync(
            new ErrorResponse(new ErrorDetail(message, type, param, code)),
            MockJsonContext.Relaxed.ErrorResponse,
            contentType: context.Response.ContentType,
            context.RequestAborted);
    }

    /// <summary>
    /// The error for the <c>status</c> / <c>fail-times</c> knobs, typed like the real provider would; the
    /// <c>error-code</c> and <c>error-param</c> knobs name its <c>code</c> and <c>param</c> (a refusal of a given field),
    /// and <c>error-padding</c> adds that many <c>x</c> to its message (a provider's long error body). With
    /// <c>error-cut-after</c> or <c>error-stall-after</c> only its first N bytes are sent, under the whole body's
    /// Content-Length, then the connection is aborted or left silent until the client leaves.
    /// </summary>
    /// <param name="empty">The status alone, with no body (as some providers and proxies answer).</param>
    public static Task WriteInjectedAsync(HttpContext context, int status, MockKnobs knobs, bool empty = false)
    {
        if (knobs.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = knobs.RetryAfter;
        }

        if (empty)
        {
            context.Response.StatusCode = status;
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        }

        var (type, code) = status switch
        {
            StatusCodes.Status429TooManyRequests => ("requests", "rate_limit_exceeded"),
            >= 500 => ("server_error", null),
            _ => (InvalidRequestType, (string?)null),
        };
        var message = $"The mock provider injected HTTP {status} (x-mock-status / x-mock-fail-times).";
        message = knobs.ErrorPadding is int size ? message + new string('x', size) : message;
        return (knobs.ErrorCutAfter ?? knobs.ErrorStallAfter) is { } sent
            ? WritePartAsync(context, status, new ErrorResponse(new ErrorDetail(message, type, knobs.ErrorParam, knobs.ErrorCode ?? code)), sent, stall: knobs.ErrorCutAfter is null)
            : WriteAsync(context, status, message, type, knobs.ErrorCode ?? code, knobs.ErrorParam);
    }

    /// <summary>
    /// The first <paramref name="sent"/> bytes of an error (never all of it), then, as a provider that dies or hangs while
    /// sending it, an abort or silence until the client leaves.
    /// </summary>
    private static async Task WritePartAsync(HttpContext context, int status, ErrorResponse error, int sent, bool stall)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(error, MockJsonContext.Relaxed.ErrorResponse);
        context.Response.StatusCode = status;
        context.Response.ContentType ??= "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, Math.Min(sent, bytes.Length - 1)), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        if (stall)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return;
        }

        // As body-cut-after: the headers and the first bytes must reach the client before the abort, or it reads a
        // failure to answer, not an error cut short.
        await Task.Delay(Streaming.StreamedReplyWriter.CutBodyDrain, context.RequestAborted);
        context.Abort();
    }
}
