using Microsoft.AspNetCore.Diagnostics;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Errors;

/// <summary>
/// Gives the OpenAI error shape to the error statuses ASP.NET Core answers with an empty body: a path no endpoint
/// serves (404), a method the endpoint does not take (405), a query or route value that does not bind to its type
/// (400, e.g. <c>?limit=abc</c>). A proxied answer is the provider's, even an empty one, and is left as it came.
/// </summary>
internal static class EmptyErrorResponder
{
    /// <summary>Everything but a proxied request (a YARP route's endpoint): those answers are the provider's.</summary>
    public static bool MayApply(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is null;

    public static Task RespondAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;

        var status = http.Response.StatusCode;
        // Both are the client's, cut like every value an error repeats, so the error never grows with the request line.
        var method = ClientEcho.Cut(http.Request.Method);
        // Not repeated when it holds an issued secret (a revoke by secret sent with the wrong method).
        var path = Contracts.Keys.SecretPrefixes.ContainsSecret(http.Request.Path.Value) ? "this path" : ClientEcho.Cut(http.Request.Path.ToString());
        var error = status switch
        {
            StatusCodes.Status404NotFound => new GatewayError(status, new OpenAiError($"No endpoint serves {method} {path}.", "invalid_request_error", null, "not_found")),
            StatusCodes.Status405MethodNotAllowed => new GatewayError(status, new OpenAiError($"{path} does not take {method}.", "invalid_request_error", null, "method_not_allowed")),
            StatusCodes.Status400BadRequest => GatewayError.InvalidRequest("A query or route value could not be read as its type (a number, a date or a version in the wrong form).", null, "invalid_parameter"),
            StatusCodes.Status415UnsupportedMediaType => GatewayError.UnsupportedMediaType(http.Request.ContentType),
            >= 500 => GatewayError.Internal(),
            _ => new GatewayError(status, new OpenAiError("The request was refused.", "invalid_request_error", null, null)),
        };
        return GatewayErrorWriter.WriteAsync(http, error);
    }
}
