using LlmGateway.Auth;
using LlmGateway.Proxy;

namespace LlmGateway.Pipeline;

/// <summary>
/// What the admission stage let in: an authenticated key and a JSON body read and scanned once.
/// The body is pooled and lives until the admission stage returns.
/// </summary>
internal sealed record AdmittedRequest(string RequestId, GatewayKey Key, PooledBuffer Body, RequestScan Scan);
