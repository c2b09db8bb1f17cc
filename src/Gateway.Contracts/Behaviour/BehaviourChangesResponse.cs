using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary><c>GET /admin/v1/prompts/{name}/behaviour/changes</c>: detected changes, newest first.</summary>
public sealed record BehaviourChangesResponse
{
    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("environment")]
    public required string Environment { get; init; }

    [JsonPropertyName("changes")]
    public IReadOnlyList<BehaviourChange> Changes { get; init; } = [];
}
