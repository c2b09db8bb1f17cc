using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Keys;

/// <summary>
/// A gateway key's budget (<c>limits</c> of a key and of <see cref="CreateKeyRequest"/>): spend per UTC day and
/// month (USD) and tokens per minute. Null = no limit.
/// </summary>
public sealed record KeyLimits(
    [property: JsonPropertyName("daily_spend_usd")] decimal? DailySpendUsd,
    [property: JsonPropertyName("monthly_spend_usd")] decimal? MonthlySpendUsd,
    [property: JsonPropertyName("tokens_per_minute")] long? TokensPerMinute)
{
    /// <summary>
    /// No limit set. Note: a public property without an attribute, so the gateway's JSON carries it as
    /// <c>"IsEmpty"</c> (in stored keys and in the key listings); kept so neither changes.
    /// </summary>
    public bool IsEmpty => DailySpendUsd is null && MonthlySpendUsd is null && TokensPerMinute is null;

    /// <summary>A spend limit (per day or per month) is set: the key's spend must be priced to be counted.</summary>
    [JsonIgnore]
    public bool HasSpendLimit => DailySpendUsd is not null || MonthlySpendUsd is not null;
}
