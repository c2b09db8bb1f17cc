using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary><c>POST /admin/v1/prompts/{name}/rollouts/{env}</c>: roll out a version; without a plan, the bundle's <c>rollout:</c> block, else the default plan.</summary>
public sealed record RolloutStartRequest
{
    [JsonPropertyName("version")]
    public int? Version { get; init; }

    [JsonPropertyName("plan")]
    public RolloutPlan? Plan { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}
