using LlmGateway.Errors;

namespace LlmGateway.Proxy;

/// <summary>
/// Work a provider would go on doing after its answer, where the gateway never sees it: a Responses request with
/// <c>"background": true</c> is answered at once with a queued response and no usage, then runs (and is billed by the
/// provider) out of the gateway's sight, even after the client is gone. Its cost could be neither counted nor held to a
/// key's budget, so it is refused.
/// </summary>
internal static class DetachedWork
{
    public static GatewayError? Check(RequestScan scan) =>
        scan.Background
            ? GatewayError.InvalidRequest(
                "Background responses are not supported through the gateway: their usage and cost would never reach it. Send the request without 'background' (stream it for long answers).",
                "background", "unsupported_parameter")
            : null;
}
