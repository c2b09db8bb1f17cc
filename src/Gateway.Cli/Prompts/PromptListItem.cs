using System.Text.Json;
using LlmGateway.Cli.Releases;

namespace LlmGateway.Cli.Prompts;

/// <summary>One entry of <c>GET /admin/v1/prompts</c>.</summary>
internal sealed record PromptListItem(
    string Name,
    int? LatestVersion,
    // A count or a list of version numbers; the table shows how many either way.
    JsonElement? Versions,
    Dictionary<string, ReleaseRecord>? Releases);
