using System.Text.Json.Serialization;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// One entry of <c>GET /admin/v1/prompts</c>: the prompt's newest version number, how many versions it has,
/// and its release in each environment that has one.
/// </summary>
public sealed record PromptSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("latest_version")] int LatestVersion,
    [property: JsonPropertyName("versions")] int Versions,
    [property: JsonPropertyName("releases")] Dictionary<string, ReleaseView> Releases);
