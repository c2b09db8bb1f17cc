using Microsoft.AspNetCore.Hosting.Server;

namespace LlmGateway.Behaviour;

/// <summary>The server whose own address the judge calls when <c>Judge:BaseUrl</c> is unset: the gateway's, or none in a separate evaluator.</summary>
internal sealed record JudgeAddress(IServer? Server, int? MetricsPort = null);
