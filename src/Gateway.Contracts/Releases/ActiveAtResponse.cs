using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Releases;

/// <summary>
/// <c>GET /admin/v1/prompts/{name}/active?env=…&amp;at=…</c>: the release in force in an environment at an instant
/// (<see cref="At"/>: the one asked for, or now) and the event that put it there; both null before the first.
/// </summary>
public sealed record ActiveAtResponse(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("release")] ReleaseRecord? Release,
    [property: JsonPropertyName("event")] ActivationEvent? Event);
