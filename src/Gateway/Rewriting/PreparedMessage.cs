using Fluid;

namespace LlmGateway.Rewriting;

/// <summary>A bundle message with its template parsed once, when the bundle was loaded.</summary>
internal sealed record PreparedMessage(string Role, IFluidTemplate Template);
