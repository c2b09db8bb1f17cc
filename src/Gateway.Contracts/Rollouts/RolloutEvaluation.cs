using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>The controller's latest look at the current step.</summary>
public sealed record RolloutEvaluation
{
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    /// <summary><c>continue</c>, <c>advance</c>, <c>promote</c>, <c>abort</c> or <c>pause</c>.</summary>
    [JsonPropertyName("decision")]
    public required string Decision { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("metrics")]
    public IReadOnlyList<RolloutMetricVerdict> Metrics { get; init; } = [];
}
