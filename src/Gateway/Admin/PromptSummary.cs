using System.Text.Json.Serialization;

namespace LlmGateway.Admin;

/// <summary>One row of <c>GET /admin/v1/prompts</c>.</summary>
internal sealed record PromptSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("latest_version")] int LatestVersion,
    [property: JsonPropertyName("versions")] int Versions,
    [property: JsonPropertyName("releases")] Dictionary<string, ReleaseView> Releases);
