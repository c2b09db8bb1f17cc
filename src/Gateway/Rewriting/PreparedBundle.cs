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
}
