using System.Text.Json.Serialization;
using LlmGateway.Prompts;

namespace LlmGateway.Admin;

/// <summary>Response of <c>POST /admin/v1/prompts</c>.</summary>
internal sealed record PushResponse(
    [property: JsonPropertyName("created")] bool Created,
    [property: JsonPropertyName("bundle")] PromptBundleView Bundle);
