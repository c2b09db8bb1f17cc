using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Prompts;

/// <summary>Bounds on the registry itself, from <c>Gateway:Prompts</c>.</summary>
internal sealed class PromptLimitsOptions
{
    public const string SectionName = "Gateway:Prompts";

    /// <summary>
    /// The most prompt names the registry holds: a push of a new name past it is refused (409 <c>too_many_prompts</c>).
    /// No API deletes a prompt, and every instance reads each prompt's release in every environment twice a second, so an
    /// author's loop over new names would otherwise grow that work, and the store, without end.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPrompts { get; set; } = 10_000;
}
