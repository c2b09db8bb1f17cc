using Fluid;

namespace LlmGateway.Rewriting;

/// <summary>A bundle message with its template parsed once, when the bundle was loaded.</summary>
internal sealed record PreparedMessage(string Role, IFluidTemplate Template)
{
    /// <summary>A system or developer message: the part of the bundle a multi-turn request keeps (see <see cref="PromptConversation"/>).</summary>
    public bool IsInstruction { get; } = Role is "system" or "developer";
}
