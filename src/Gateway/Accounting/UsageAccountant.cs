using LlmGateway.Providers;
using LlmGateway.Streaming;

namespace LlmGateway.Accounting;

/// <summary>
/// Turns what the response tap read into an <see cref="AccountingRecord"/>: the provider's reported
/// usage when it sent one (chat, completions, or the Responses API's, streamed or not), otherwise a
/// tokenizer estimate of the prompt (the request's one estimate) and of the text actually generated
/// (so a cut or cancelled stream is billed for what was produced), priced at the time of the request.
/// </summary>
internal sealed class UsageAccountant(TokenizerRegistry tokenizers, PricingTable pricing, ILogger<UsageAccountant> logger)
{
    public AccountingRecord Account(CatalogModel model, PromptTokenEstimate prompt, ResponseTap tap, DateTimeOffset requestedAt)
    {
        tap.Complete();
        var seen = tap.Usage;
        if (tap.Reader is { } reader && (reader.MalformedEvents > 0 || reader.InvalidTextEvents > 0))
        {
            StreamingLog.UnreadableEvents(logger, model.Name, reader.MalformedEvents, reader.InvalidTextEvents, reader.LastProblem);
            System.Diagnostics.Activity.Current?.SetTag("gateway.response.unreadable_events", reader.MalformedEvents)
                .SetTag("gateway.response.invalid_text_events", reader.InvalidTextEvents);
        }

        var servedModel = model.UpstreamModel;
        TokenUsage usage;
        string source;
        // Embeddings report only their input (prompt_tokens): with nothing generated, that is the whole usage.
        if (seen.Usage is { InputTokens: { } input } reported
            && (reported.OutputTokens is not null || (seen.Text.IsEmpty && seen.ToolCallText.Length == 0)))
        {
            usage = new TokenUsage(input, reported.CachedInputTokens ?? 0, reported.OutputTokens ?? 0, reported.ReasoningTokens ?? 0);
            source = AccountingRecord.Reported;
        }
        else
        {
            // What was generated: text and refusals, and tool calls' names and arguments (a client that cuts a forced
            // tool call before the usage chunk must not get it free). Reasoning tokens never show as text: a cut
            // reasoning model's stream is billed below what the provider charges (README, Accounting).
            var text = seen.Text;
            var tools = seen.ToolCallText;
            var generated = (text.IsEmpty ? 0 : tokenizers.Count(new string(text), model.Encoding)) + (tools.Length == 0 ? 0 : tokenizers.Count(tools, model.Encoding));
            usage = new TokenUsage(prompt.Count(tokenizers), 0, generated, 0);
            source = AccountingRecord.Estimated;
        }

        return new AccountingRecord(servedModel, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.ReasoningTokens, source,
            pricing.Cost(servedModel, requestedAt, usage), seen.FinishReason,
            tap.IsSse && seen.FirstTextTimestamp is { } first ? System.Diagnostics.Stopwatch.GetElapsedTime(tap.StartTimestamp, first).TotalMilliseconds : null,
            seen.Model)
        {
            UnreadableEvents = tap.Reader is { } read ? read.MalformedEvents + read.InvalidTextEvents : 0,
        };
    }
}
