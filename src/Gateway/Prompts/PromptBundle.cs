using System.Text.Json.Serialization;
using LlmGateway.Contracts.Prompts;

namespace LlmGateway.Prompts;

/// <summary>
/// A stored, immutable bundle version: its content plus the metadata fixed when it was pushed.
/// Approval state lives beside it (<see cref="PromptVersionStatus"/>), so the stored bytes never change.
/// </summary>
internal sealed record PromptBundle
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Written as a placeholder and filled in atomically by the store (see <see cref="PromptRegistry"/>).</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; }

    [JsonPropertyName("label")]
    public string? Label { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("author")]
    public required string Author { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("parent")]
    public int? Parent { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("messages")]
    public required PromptMessageTemplate[] Messages { get; init; }

    [JsonPropertyName("variables")]
    public PromptVariable[] Variables { get; init; } = [];

    [JsonPropertyName("params")]
    public PromptParams Params { get; init; } = new();

    [JsonPropertyName("system_message_policy")]
    public string SystemMessagePolicy { get; init; } = SystemMessagePolicies.Keep;

    [JsonPropertyName("retrieval")]
    public PromptRetrieval? Retrieval { get; init; }

    [JsonPropertyName("eval")]
    public PromptEval? Eval { get; init; }

    [JsonPropertyName("online_eval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PromptOnlineEval? OnlineEval { get; init; }

    [JsonPropertyName("rollout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LlmGateway.Contracts.Rollouts.RolloutPlan? Rollout { get; init; }

    /// <summary>
    /// False forbids serving this bundle with another model when its own cannot (other
    /// deployments of the same model may still serve). Absent: allowed.
    /// </summary>
    [JsonPropertyName("model_fallback")]
    public bool? ModelFallback { get; init; }
}
