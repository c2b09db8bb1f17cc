using Fluid;

namespace LlmGateway.Rewriting;

/// <summary>A bundle message with its template parsed once, when the bundle was loaded.</summary>
/// <param name="Template">The template as it renders: hardened (<see cref="TemplateLimits.Harden"/>).</param>
/// <param name="Reads">Every name the template reads, worked out on the template as parsed (the hardened one's capped nodes hide what they hold).</param>
/// <param name="ReadsTheClock">Whether the template may print the time of the render (<see cref="Prompts.PromptTemplateAnalyzer.ReadsTheClock"/>).</param>
internal sealed record PreparedMessage(string Role, IFluidTemplate Template, IReadOnlySet<string> Reads, bool ReadsTheClock)
{
    /// <summary>A system or developer message: the part of the bundle a multi-turn request keeps (see <see cref="PromptConversation"/>).</summary>
    public bool IsInstruction { get; } = Role is "system" or "developer";
}
