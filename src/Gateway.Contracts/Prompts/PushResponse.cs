using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// Answer of <c>POST /admin/v1/prompts</c>: <c>201 {"created":true,"bundle":{…}}</c> for a new version, or
/// <c>200 {"created":false,…}</c> with the version the gateway already holds for identical content.
/// </summary>
public sealed record PushResponse(
    [property: JsonPropertyName("created")] bool Created,
    [property: JsonPropertyName("bundle")] PromptBundleView Bundle);
