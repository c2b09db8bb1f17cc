using System.Text.Json.Serialization;

namespace LlmGateway.Prompts;

/// <summary>Review state of one version, kept apart from the immutable bundle.</summary>
internal sealed record PromptVersionStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("approved_by")] string? ApprovedBy,
    [property: JsonPropertyName("approved_at")] DateTimeOffset? ApprovedAt)
{
    public const string Draft = "draft";
    public const string Approved = "approved";

    public static PromptVersionStatus NewDraft { get; } = new(Draft, null, null);

    public bool IsApproved => Status == Approved;
}
