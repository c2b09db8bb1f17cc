using System.Text.Json.Serialization;

namespace LlmGateway.Usage;

/// <summary>One group of <c>GET /admin/v1/usage</c>: the grouped dimensions and the summed counters.</summary>
internal sealed record UsageRow(
    [property: JsonPropertyName("group")] Dictionary<string, string> Group,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("errors")] long Errors,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("cached_input_tokens")] long CachedInputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("reasoning_tokens")] long ReasoningTokens,
    [property: JsonPropertyName("cost_usd")] decimal CostUsd,
    [property: JsonPropertyName("unpriced_requests")] long UnpricedRequests,
    [property: JsonPropertyName("latency_ms")] Dictionary<string, long> Latency);
