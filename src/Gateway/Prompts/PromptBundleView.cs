using System.Text.Json.Serialization;
using LlmGateway.EvalRuns;

namespace LlmGateway.Prompts;

/// <summary>A bundle with its review state, as the admin API shows it (flat, per docs/admin-api.md).</summary>
internal sealed record PromptBundleView
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("version")] public int Version { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("author")] public required string Author { get; init; }
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("parent")] public int? Parent { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("approved_by")] public string? ApprovedBy { get; init; }
    [JsonPropertyName("approved_at")] public DateTimeOffset? ApprovedAt { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("messages")] public required PromptMessageTemplate[] Messages { get; init; }
    [JsonPropertyName("variables")] public required PromptVariable[] Variables { get; init; }
    [JsonPropertyName("params")] public required PromptParams Params { get; init; }
    [JsonPropertyName("system_message_policy")] public required string SystemMessagePolicy { get; init; }
    [JsonPropertyName("retrieval")] public PromptRetrieval? Retrieval { get; init; }
    [JsonPropertyName("eval")] public PromptEval? Eval { get; init; }
    [JsonPropertyName("model_fallback")] public bool? ModelFallback { get; init; }

    /// <summary>
    /// The version's newest evaluation run; set only by <c>GET /admin/v1/prompts/{name}</c>, and absent when
    /// none is recorded (or in other responses).
    /// </summary>
    [JsonPropertyName("latest_eval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EvalRunSummary? LatestEval { get; init; }

    public static PromptBundleView From(PromptBundle bundle, PromptVersionStatus status) => new()
    {
        Id = bundle.Id,
        Name = bundle.Name,
        Version = bundle.Version,
        Label = bundle.Label,
        Message = bundle.Message,
        Author = bundle.Author,
        CreatedAt = bundle.CreatedAt,
        Parent = bundle.Parent,
        Status = status.Status,
        ApprovedBy = status.ApprovedBy,
        ApprovedAt = status.ApprovedAt,
        Model = bundle.Model,
        Messages = bundle.Messages,
        Variables = bundle.Variables,
        Params = bundle.Params,
        SystemMessagePolicy = bundle.SystemMessagePolicy,
        Retrieval = bundle.Retrieval,
        Eval = bundle.Eval,
        ModelFallback = bundle.ModelFallback,
    };
}
