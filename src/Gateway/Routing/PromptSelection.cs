using LlmGateway.Contracts.Releases;
using LlmGateway.Rewriting;

namespace LlmGateway.Routing;

/// <summary>
/// The bundle version that serves one request, and why (<see cref="Variants"/>), with the
/// release's sampling policy (null: pinned, or the configured defaults apply).
/// </summary>
internal sealed record PromptSelection(PreparedBundle Bundle, string Variant, string Environment, ReleaseSampling? Sampling = null);
