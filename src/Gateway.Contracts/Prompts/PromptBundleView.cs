using System.Text.Json.Serialization;
using LlmGateway.Contracts.EvalRuns;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// A bundle version with its review state, flat, as the admin API shows it (docs/admin-api.md): the answer of
/// <c>GET …/versions/{version}</c> and of approve, and the <c>bundle</c> of a push. Its metadata (id, version,
/// author, status, approval) comes first, then the bundle's content as it was pushed.
/// </summary>
public sealed record PromptBundleView
{
    /// <summary>The SHA-256 of the bundle's canonical content: identical content is the same version.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("version")] public int Version { get; init; }

    [JsonPropertyName("label")] public string? Label { get; init; }

    [JsonPropertyName("message")] public string? Message { get; init; }

    [JsonPropertyName("author")] public required string Author { get; init; }

    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The version this one was pushed after; null for the first.</summary>
    [JsonPropertyName("parent")] public int? Parent { get; init; }

    /// <summary><c>draft</c> or <c>approved</c>.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("approved_by")] public string? ApprovedBy { get; init; }

    [JsonPropertyName("approved_at")] public DateTimeOffset? ApprovedAt { get; init; }

    [JsonPropertyName("model")] public required string Model { get; init; }

    [JsonPropertyName("messages")] public required PromptMessageTemplate[] Messages { get; init; }

    [JsonPropertyName("variables")] public required PromptVariable[] Variables { get; init; }

    [JsonPropertyName("params")] public required PromptParams Params { get; init; }

    /// <summary>What happens to a system message the application sends itself (<c>keep</c>, <c>replace</c> or <c>reject</c>).</summary>
    [JsonPropertyName("system_message_policy")] public required string SystemMessagePolicy { get; init; }

    [JsonPropertyName("retrieval")] public PromptRetrieval? Retrieval { get; init; }

    [JsonPropertyName("eval")] public PromptEval? Eval { get; init; }

    [JsonPropertyName("online_eval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PromptOnlineEval? OnlineEval { get; init; }

    [JsonPropertyName("rollout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LlmGateway.Contracts.Rollouts.RolloutPlan? Rollout { get; init; }

    /// <summary>False forbids serving the bundle with another model when its own cannot; absent: allowed.</summary>
    [JsonPropertyName("model_fallback")] public bool? ModelFallback { get; init; }

    /// <summary>
    /// The version's newest evaluation run; set only by <c>GET /admin/v1/prompts/{name}</c>, and absent when
    /// none is recorded (or in other responses).
    /// </summary>
    [JsonPropertyName("latest_eval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EvalRunSummary? LatestEval { get; init; }
}
