using LlmGateway.Providers;
using LlmGateway.Streaming;

namespace LlmGateway.Accounting;

/// <summary>
/// Turns what the response tap saw into an <see cref="AccountingRecord"/>: the provider's reported
/// usage when it sent one, otherwise a tokenizer estimate of the prompt and of the text actually
/// generated (so a cut or cancelled stream is billed for what was produced), priced at the time
/// of the request.
/// </summary>
internal sealed class UsageAccountant(TokenizerRegistry tokenizers, PricingTable pricing)
{
    public AccountingRecord Account(CatalogModel model, ReadOnlySpan<byte> forwardedBody, ResponseTap tap, DateTimeOffset requestedAt)
    {
        var scanner = tap.Sse;
        if (!tap.IsSse && !tap.Json.IsEmpty)
        {
            scanner.ReadBody(tap.Json);
        }
        else
        {
            scanner.Complete();
        }

        var servedModel = model.UpstreamModel;
        TokenUsage usage;
        string source;
        if (scanner.Usage is { PromptTokens: { } input, CompletionTokens: { } output } reported)
        {
            usage = new TokenUsage(input, reported.CachedPromptTokens ?? 0, output, reported.ReasoningTokens ?? 0);
            source = AccountingRecord.Reported;
        }
        else
        {
            var encoding = model.Encoding;
            usage = new TokenUsage(tokenizers.Count(RequestText.Extract(forwardedBody), encoding), 0, tokenizers.Count(scanner.Text, encoding), 0);
            source = AccountingRecord.Estimated;
        }

        return new AccountingRecord(servedModel, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.ReasoningTokens, source,
            pricing.Cost(servedModel, requestedAt, usage), scanner.FinishReason,
            tap.FirstTextTimestamp is { } first ? System.Diagnostics.Stopwatch.GetElapsedTime(tap.StartTimestamp, first).TotalMilliseconds : null,
            scanner.Model);
    }
}
