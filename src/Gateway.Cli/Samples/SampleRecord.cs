using System.Text.Json;

namespace LlmGateway.Cli.Samples;

/// <summary><c>GET /admin/v1/samples/{id}</c>: one stored request and response, redacted and size-capped by the gateway.</summary>
internal sealed record SampleRecord(
    string Id,
    string? RequestId,
    DateTimeOffset? Timestamp,
    string? Reason,
    string? Environment,
    string? Prompt,
    int? Version,
    string? Variant,
    string? Model,
    string? Provider,
    string? KeyId,
    string? Endpoint,
    SampleInput? Input,
    JsonElement? Request,
    SampleResponse? Response,
    SampleUsage? Usage,
    double? LatencyMs,
    double? TtftMs,
    IReadOnlyDictionary<string, int>? Redactions,
    bool Truncated);
