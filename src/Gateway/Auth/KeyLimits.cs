using System.Text.Json.Serialization;

namespace LlmGateway.Auth;

/// <summary>A gateway key's budget: spend per UTC day and month (USD) and tokens per minute. Null = no limit.</summary>
internal sealed record KeyLimits(
    [property: JsonPropertyName("daily_spend_usd")] decimal? DailySpendUsd,
    [property: JsonPropertyName("monthly_spend_usd")] decimal? MonthlySpendUsd,
    [property: JsonPropertyName("tokens_per_minute")] long? TokensPerMinute)
{
    public bool IsEmpty => DailySpendUsd is null && MonthlySpendUsd is null && TokensPerMinute is null;
}
