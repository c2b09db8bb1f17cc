using System.Text.Json.Serialization;
using LlmGateway.Prompts;

namespace LlmGateway.Admin;

/// <summary><c>GET /admin/v1/prompts/{name}</c>.</summary>
internal sealed record PromptDetail(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<PromptBundleView> Versions,
    [property: JsonPropertyName("releases")] Dictionary<string, ReleaseView> Releases);
