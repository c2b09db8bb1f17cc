using System.Globalization;

namespace LlmGateway.Accounting;

/// <summary>Token and cost headers of a non-streamed response.</summary>
internal static class UsageHeaders
{
    public const string InputTokens = "X-Gateway-Input-Tokens";
    public const string CachedInputTokens = "X-Gateway-Cached-Input-Tokens";
    public const string OutputTokens = "X-Gateway-Output-Tokens";
    public const string Cost = "X-Gateway-Cost-USD";
    public const string Source = "X-Gateway-Usage-Source";
    public const string AbandonedAttempts = "X-Gateway-Abandoned-Attempts";

    public static void Apply(IHeaderDictionary headers, AccountingRecord record)
    {
        headers[InputTokens] = record.InputTokens.ToString(CultureInfo.InvariantCulture);
        headers[CachedInputTokens] = record.CachedInputTokens.ToString(CultureInfo.InvariantCulture);
        headers[OutputTokens] = record.OutputTokens.ToString(CultureInfo.InvariantCulture);

        // "unknown", never 0, when the model has no price.
        headers[Cost] = record.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        headers[Source] = record.Source;
        if (record.AbandonedAttempts > 0)
        {
            headers[AbandonedAttempts] = record.AbandonedAttempts.ToString(CultureInfo.InvariantCulture);
        }
    }
}
