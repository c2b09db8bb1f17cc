using System.Text.Json.Serialization;

namespace LlmGateway.Audit;

/// <summary>One audited control-plane action, allowed or refused.</summary>
internal sealed record AuditEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string? Detail)
{
    public const string Ok = "ok";
    public const string Refused = "refused";
}
