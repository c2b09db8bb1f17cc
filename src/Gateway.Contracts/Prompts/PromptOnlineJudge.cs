using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// The judge of a bundle's online <c>llm-rubric</c> assertions: a catalog model called through the gateway under the
/// evaluator's own key (so it is billed apart and never counted as the judged prompt's usage), on a share of the
/// samples, within a daily budget.
/// </summary>
public sealed record PromptOnlineJudge
{
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    /// <summary>The share of sampled responses the judge grades, in (0, 1]. Default 0.1.</summary>
    [JsonPropertyName("sample_rate")]
    public double? SampleRate { get; init; }

    /// <summary>USD per UTC day for this prompt's judge calls; once spent, the judge rests until the next day. Default 1.</summary>
    [JsonPropertyName("daily_budget_usd")]
    public decimal? DailyBudgetUsd { get; init; }
}
