using LlmGateway.Cli.Releases;

namespace LlmGateway.Cli.Prompts;

/// <summary><c>GET /admin/v1/prompts/{name}</c>: every version's metadata and the release of each environment.</summary>
internal sealed record PromptDetail(
    string Name,
    IReadOnlyList<BundleSummary>? Versions,
    Dictionary<string, ReleaseRecord>? Releases);
