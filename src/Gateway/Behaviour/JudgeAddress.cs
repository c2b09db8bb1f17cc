using LlmGateway.Hosting;

namespace LlmGateway.Behaviour;

/// <summary>
/// Where judge calls go when <c>Judge:BaseUrl</c> is unset: into the gateway's own pipeline, in process
/// (<paramref name="Gateway"/>); a separate evaluator has none and must set the address.
/// </summary>
internal sealed record JudgeAddress(InProcessApplication? Gateway);
