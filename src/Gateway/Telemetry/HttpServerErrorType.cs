using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Telemetry;

/// <summary>
/// Marks a 5xx answer as an error on ASP.NET Core's <c>http.server.request.duration</c> (<c>error.type</c> = the status
/// code, as the HTTP semantic conventions ask). ASP.NET Core 10 sets it only for an unhandled exception, and the gateway
/// answers its own failures and passes providers' through without one; OpenTelemetry's ASP.NET Core instrumentation
/// did this in a middleware of its own, which the gateway no longer registers (it cost an async frame per request).
/// </summary>
internal static class HttpServerErrorType
{
    private const string Key = "error.type";

    public static void Mark(HttpContext context, int status)
    {
        if (status < 500 || context.Features.Get<IHttpMetricsTagsFeature>() is not { } metrics)
        {
            return;
        }

        foreach (var tag in metrics.Tags)
        {
            if (tag.Key == Key)
            {
                return;
            }
        }

        metrics.Tags.Add(new(Key, status.ToString(CultureInfo.InvariantCulture)));
    }
}
