using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>A line of <c>GET /admin/v1/samples</c>.</summary>
internal sealed record SampleSummary
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("environment")]
    public string? Environment { get; init; }

    [JsonPropertyName("prompt")]
    public string? Prompt { get; init; }

    [JsonPropertyName("version")]
    public int? Version { get; init; }

    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("status")]
    public int Status { get; init; }

    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    [JsonPropertyName("latency_ms")]
    public double LatencyMs { get; init; }

    [JsonPropertyName("cost_usd")]
    public decimal? CostUsd { get; init; }

    [JsonPropertyName("truncated")]
    public bool Truncated { get; init; }

    public static SampleSummary From(SampleRecord record) => new()
    {
        Id = record.Id,
        Timestamp = record.Timestamp,
        Environment = record.Environment,
        Prompt = record.Prompt,
        Version = record.Version,
        Variant = record.Variant,
        Model = record.Model,
        Status = record.Response.Status,
        Reason = record.Reason,
        LatencyMs = record.LatencyMs,
        CostUsd = record.Usage?.CostUsd,
        Truncated = record.Truncated,
    };
}
