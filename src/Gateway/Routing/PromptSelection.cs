using LlmGateway.Rewriting;

namespace LlmGateway.Routing;

/// <summary>The bundle version that serves one request, and why (<see cref="Variants"/>).</summary>
internal sealed record PromptSelection(PreparedBundle Bundle, string Variant, string Environment);
