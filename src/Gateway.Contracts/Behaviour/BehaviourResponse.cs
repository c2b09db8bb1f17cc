using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Behaviour;

/// <summary><c>GET /admin/v1/prompts/{name}/behaviour</c>: a prompt's behaviour series in one environment.</summary>
public sealed record BehaviourResponse
{
    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("environment")]
    public required string Environment { get; init; }

    [JsonPropertyName("from")]
    public DateTimeOffset From { get; init; }

    [JsonPropertyName("to")]
    public DateTimeOffset To { get; init; }

    [JsonPropertyName("step_seconds")]
    public int StepSeconds { get; init; }

    /// <summary>What the series are split by: a subset of <c>version</c>, <c>variant</c>.</summary>
    [JsonPropertyName("group_by")]
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>Sorted by metric, then version, then variant.</summary>
    [JsonPropertyName("series")]
    public IReadOnlyList<BehaviourSeries> Series { get; init; } = [];
}
