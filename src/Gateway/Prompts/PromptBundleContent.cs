using System.Text.Json.Serialization;
using LlmGateway.Contracts.Prompts;

namespace LlmGateway.Prompts;

/// <summary>
/// What an author pushes. Everything but <see cref="Message"/> is content: it determines the
/// bundle id, so pushing the same content twice is recognised and creates nothing.
/// </summary>
internal sealed record PromptBundleContent
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("label")]
    public string? Label { get; init; }

    /// <summary>The changelog line. Not content: rewording it does not make a new version.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("messages")]
    public PromptMessageTemplate[]? Messages { get; init; }

    [JsonPropertyName("variables")]
    public PromptVariable[]? Variables { get; init; }

    [JsonPropertyName("params")]
    public PromptParams? Params { get; init; }

    [JsonPropertyName("system_message_policy")]
    public string? SystemMessagePolicy { get; init; }

    [JsonPropertyName("retrieval")]
    public PromptRetrieval? Retrieval { get; init; }

    [JsonPropertyName("eval")]
    public PromptEval? Eval { get; init; }

    /// <summary>Scorers for sampled live traffic. Left out when absent, so older bundles keep their ids.</summary>
    [JsonPropertyName("online_eval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PromptOnlineEval? OnlineEval { get; init; }

    /// <summary>How this version is rolled out when <c>gatewayctl rollout start</c> gives no plan. Left out when absent.</summary>
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
