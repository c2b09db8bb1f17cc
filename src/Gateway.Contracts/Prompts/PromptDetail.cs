using System.Text.Json.Serialization;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// <c>GET /admin/v1/prompts/{name}</c>: every version with its review state (and newest evaluation run), and the
/// release of each environment that has one, keyed by environment.
/// </summary>
public sealed record PromptDetail(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<PromptBundleView> Versions,
    [property: JsonPropertyName("releases")] Dictionary<string, ReleaseView> Releases);
