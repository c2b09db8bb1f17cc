using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// Body of <c>POST /admin/v1/prompts/{name}/versions/{version}/approve</c>: the approver's optional reason,
/// recorded in the version's history. An empty body approves without one.
/// </summary>
public sealed record ApproveRequest([property: JsonPropertyName("reason")] string? Reason);
