using LlmGateway.Serialization;

namespace LlmGateway.Errors;

internal static class GatewayErrorWriter
{
    /// <summary>Writes the error unless the response has already started, which would corrupt it.</summary>
    public static Task WriteAsync(HttpContext context, GatewayError error)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = error.StatusCode;
        Telemetry.HttpServerErrorType.Mark(context, error.StatusCode);
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(
            new OpenAiErrorEnvelope(error.Body), GatewayJsonContext.Default.OpenAiErrorEnvelope, contentType: "application/json", context.RequestAborted);
    }
}
