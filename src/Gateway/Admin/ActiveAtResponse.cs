using System.Text.Json.Serialization;
using LlmGateway.Releases;

namespace LlmGateway.Admin;

/// <summary><c>GET /admin/v1/prompts/{name}/active</c>.</summary>
internal sealed record ActiveAtResponse(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("release")] ReleaseRecord? Release,
    [property: JsonPropertyName("event")] ActivationEvent? Event);
