using System.Collections.Frozen;
using LlmGateway.Prompts;
using LlmGateway.Providers;

namespace LlmGateway.Rewriting;

/// <summary>
/// A bundle made ready for the hot path once, when it is loaded: templates parsed, the catalog
/// model resolved, parameters pre-serialised. Requests only render and splice.
/// </summary>
internal sealed record PreparedBundle(
    PromptBundle Bundle,
    CatalogModel Model,
    IReadOnlyList<PreparedMessage> Messages,
    PreparedParameter[] Parameters)
{
    public string Name => Bundle.Name;

    public int Version => Bundle.Version;

    /// <summary>The version as a metric tag, formatted once rather than per request.</summary>
    public string VersionText { get; } = Bundle.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The variables the bundle's system and developer templates read, worked out once at load. A multi-turn request
    /// (see <see cref="PromptConversation"/>) renders only those templates, so only these variables can be missing.
    /// </summary>
    public FrozenSet<string> InstructionVariables { get; } = CollectInstructionVariables(Messages);

    /// <summary>Renders by bound values; null when a template reads the clock, so every request renders.</summary>
    public RenderMemo? Renders { get; } = Messages.Any(m => m.ReadsTheClock) ? null : new RenderMemo();

    private readonly string _stableArm = $"{Bundle.Name}|{Bundle.Version}|{Routing.Variants.Stable}";
    private readonly string _canaryArm = $"{Bundle.Name}|{Bundle.Version}|{Routing.Variants.Canary}";

    /// <summary>The sampling floor's key of an arm of this version, built once (the hot path asks per request).</summary>
    public string ArmKey(string variant) => variant switch
    {
        Routing.Variants.Stable => _stableArm,
        Routing.Variants.Canary => _canaryArm,
        _ => $"{Name}|{Version}|{variant}",
    };

    private static FrozenSet<string> CollectInstructionVariables(IReadOnlyList<PreparedMessage> messages)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (message.IsInstruction)
            {
                // Read at all, not only free: a template that reassigns a variable reads the client's value first.
                used.UnionWith(message.Reads);
            }
        }

        return used.ToFrozenSet(StringComparer.Ordinal);
    }
}
