using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace LlmGateway.Errors;

/// <summary>
/// The last word on an exception nothing else handled: an OpenAI-shaped body instead of an empty 500.
/// A request the server itself refused keeps its 4xx; a store that timed out or dropped the connection is a 503 the
/// client may retry; anything else is a
/// 500 that names no internals (exception text can carry keys, store addresses or prompt content).
/// </summary>
internal static class UnhandledErrorResponder
{
    public static Task RespondAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        // The handler cleared the response's headers; the request id is what a report of this error needs.
        if (context.Features.Get<Pipeline.AdmittedRequest>()?.RequestId is { } requestId)
        {
            context.Response.Headers[Proxy.RequestIds.Header] = requestId;
        }

        return GatewayErrorWriter.WriteAsync(context, For(exception));
    }

    public static GatewayError For(Exception? exception)
    {
        if (exception is BadHttpRequestException bad)
        {
            // The server refused the request itself (a body past Kestrel's limit, a client too slow to send it):
            // its status, and its message, which describes the request, never the gateway's state.
            return new GatewayError(bad.StatusCode, new OpenAiError(bad.Message, "invalid_request_error", null, bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "request_too_large",
                StatusCodes.Status408RequestTimeout => "request_timeout",
                _ => "invalid_request",
            }));
        }

        return IsStoreFailure(exception) ? GatewayError.StoreDidNotAnswer() : GatewayError.Internal();
    }

    // StackExchange.Redis classifies a server's error reply by its prefix (LOADING, BUSY, READONLY, OOM, …) into Kind.
    // A store out of memory, short of replicas, refusing writes after a failed save (MISCONF: a full disk) or moving
    // slots (MOVED, ASK during a resharding) is an outage of the store, not an answer about this request.
    private static bool IsTransient(RedisServerException server) =>
        server.Kind is RedisErrorKind.Loading or RedisErrorKind.Busy or RedisErrorKind.ReadOnly or RedisErrorKind.MasterDown
            or RedisErrorKind.TryAgain or RedisErrorKind.ClusterDown or RedisErrorKind.Timeout or RedisErrorKind.ConnectionFault
            or RedisErrorKind.MaxClients or RedisErrorKind.OutOfMemory or RedisErrorKind.NoReplicas or RedisErrorKind.Misconfigured
            or RedisErrorKind.Moved or RedisErrorKind.Ask or RedisErrorKind.UnknownRedirectTarget;

    /// <summary>
    /// Whether the exception (or one inside it) is a store failure a retry can outlive; false for an error the store
    /// answers the same way every time (a script's error, a WRONGTYPE, a counter that would overflow).
    /// </summary>
    public static bool IsStoreFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            // Only failures a retry can outlive: a timeout, a lost connection, a server still loading, busy with a
            // script or failing over. A WRONGTYPE or a script error fails the same way every time: a 500, not a 503.
            if (current is RedisTimeoutException or RedisConnectionException
                || (current is RedisServerException server && IsTransient(server)))
            {
                return true;
            }
        }

        return false;
    }
}
