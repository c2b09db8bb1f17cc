using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>The body of <c>pause</c>, <c>resume</c>, <c>abort</c> and <c>skip-step</c>: why (recorded in the history).</summary>
public sealed record RolloutControlRequest
{
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}
