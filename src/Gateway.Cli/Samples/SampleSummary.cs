namespace LlmGateway.Cli.Samples;

/// <summary>One line of <c>GET /admin/v1/samples</c>: enough to pick a sample to show.</summary>
internal sealed record SampleSummary(
    string Id,
    DateTimeOffset? Timestamp,
    string? Environment,
    string? Prompt,
    int? Version,
    string? Variant,
    string? Model,
    int? Status,
    string? Reason,
    double? LatencyMs,
    decimal? CostUsd,
    bool Truncated);
