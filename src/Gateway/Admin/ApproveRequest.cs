using System.Text.Json.Serialization;

namespace LlmGateway.Admin;

/// <summary>Body of the approve endpoint.</summary>
internal sealed record ApproveRequest([property: JsonPropertyName("reason")] string? Reason);
