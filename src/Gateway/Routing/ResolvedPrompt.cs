using System.Text.Json.Serialization;
using LlmGateway.Prompts;

namespace LlmGateway.Routing;

/// <summary>Response of <c>GET /v1/prompts/{name}/resolve</c>: the bundle this caller would be served now.</summary>
internal sealed record ResolvedPrompt(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("variant")] string Variant,
    [property: JsonPropertyName("upstream_model")] string UpstreamModel,
    [property: JsonPropertyName("bundle")] PromptBundle Bundle);
