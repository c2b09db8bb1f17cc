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
    /// <param name="outputBound">The most the request could generate (its output cap times its choices): what an answer the gateway could not read is billed for.</param>
    /// <param name="priorityTier">
    /// The request asked for <c>"service_tier": "priority"</c>: priced as the provider bills it. The tier the response says
    /// served it decides when it names one: a project without priority access is served, and billed, at its default tier;
    /// one whose default tier is priority is served, and billed, at priority without asking.
    /// </param>
    /// <param name="interrupted">The stream was cut or stalled: a usage it reported before that may count less than what the client got.</param>
    /// <param name="searchesAsked">Web searches the request itself makes (chat's <c>web_search_options</c>: one per request), beside the calls the answer shows.</param>
    public AccountingRecord Account(
        CatalogModel model, PromptTokenEstimate prompt, ResponseTap tap, DateTimeOffset requestedAt, long outputBound = 0, bool interrupted = false, bool priorityTier = false,
        int searchesAsked = 0)
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
        if (seen.Usage is { InputTokens: { } reportedInput } reported
            && (reported.OutputTokens is not null || (seen.Text.IsEmpty && seen.ToolCallText.Length == 0)))
        {
            // Never below zero, and never below what the provider's own total says was generated: compatible providers
            // have reported reasoning in the total and not in the output.
            var input = Math.Max(0, reportedInput);
            long output = Math.Max(0, reported.OutputTokens ?? 0);
            if (reported.TotalTokens is { } total && (long)total - input > output)
            {
                output = (long)total - input;
            }

            if (interrupted && !seen.SawUsageChunk)
            {
                // A usage sent before the cut (a provider reporting as it goes) may count less than the client received;
                // not the include_usage chunk, which comes after the whole answer.
                output = Math.Max(output, Generated(seen, model));
            }

            // Audio tokens are parts of the input and output, priced apart (unknown without an audio price: PricingTable.Cost).
            usage = new TokenUsage(
                input, Math.Clamp(reported.CachedInputTokens ?? 0, 0, input), output, Math.Max(0, reported.ReasoningTokens ?? 0),
                Math.Clamp(reported.AudioInputTokens ?? 0, 0, input), Math.Clamp(reported.AudioOutputTokens ?? 0, 0L, output));
            source = AccountingRecord.Reported;
        }
        else if (tap.Unread && outputBound > 0)
        {
            // The answer reached the client unread (a coding or content type the gateway does not read, or a body past
            // its cap with no usage at its end): what it generated is unknown, so it is billed at the most it could be.
            usage = new TokenUsage(prompt.Billed(tokenizers, model.ImageInputTokens), 0, outputBound, 0);
            source = AccountingRecord.Bounded;
        }
        else
        {
            usage = new TokenUsage(prompt.Billed(tokenizers, model.ImageInputTokens), 0, Generated(seen, model), 0);
            source = AccountingRecord.Estimated;
        }

        // The provider's own tools are charged per call beside the tokens (web search's results are already in the input).
        var cost = pricing.Cost(servedModel, requestedAt, usage, seen.ServedPriority ?? priorityTier);
        var calls = seen.ProviderToolCalls;
        if (searchesAsked > 0)
        {
            calls = [.. calls, .. Enumerable.Repeat(ProviderToolNames.WebSearch, searchesAsked)];
        }

        if (calls.Count > 0)
        {
            cost = pricing.WithToolCalls(cost, calls);
        }

        return new AccountingRecord(servedModel, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.ReasoningTokens, source,
            cost, seen.FinishReason,
            tap.IsSse && seen.FirstOutputTimestamp is { } first ? System.Diagnostics.Stopwatch.GetElapsedTime(tap.StartTimestamp, first).TotalMilliseconds : null,
            seen.Model)
        {
            UnreadableEvents = tap.Reader is { } read ? read.MalformedEvents + read.InvalidTextEvents : 0,
            ProviderToolCalls = calls.Count,
            AudioInputTokens = usage.AudioInputTokens,
            AudioOutputTokens = usage.AudioOutputTokens,
        };
    }

    /// <summary>
    /// The client left before any answer reached it, while the provider had its whole request: the provider bills the
    /// prompt, and a non-streamed answer it goes on to generate (providers stop a stream whose reader has gone, not a
    /// JSON answer), which the gateway never sees; so that is billed at the most it could be.
    /// </summary>
    /// <param name="outputBound">The request's output cap times its choices for a JSON answer; 0 for a stream.</param>
    public AccountingRecord Abandoned(CatalogModel model, PromptTokenEstimate prompt, DateTimeOffset requestedAt, long outputBound, bool priorityTier = false)
    {
        var usage = new TokenUsage(prompt.Billed(tokenizers, model.ImageInputTokens), 0, outputBound, 0);
        return new AccountingRecord(model.UpstreamModel, usage.InputTokens, 0, usage.OutputTokens, 0,
            outputBound > 0 ? AccountingRecord.Bounded : AccountingRecord.Estimated, pricing.Cost(model.UpstreamModel, requestedAt, usage, priorityTier), FinishReason: null);
    }

    /// <summary>
    /// What the response generated, by the tokenizer: text and refusals, tool calls' names and arguments (a client that
    /// cuts a forced tool call before the usage chunk must not get it free), and other output (reasoning a provider shows,
    /// what its tools were given). Hidden reasoning never shows as text: a cut reasoning model's stream is billed below
    /// what the provider charges (README, Accounting).
    /// </summary>
    private long Generated(UsageObserver seen, CatalogModel model)
    {
        var text = seen.Text;
        var tools = seen.ToolCallText;
        var other = seen.OtherOutput;
        return (text.IsEmpty ? 0 : tokenizers.Count(new string(text), model.Encoding)) + (tools.Length == 0 ? 0 : tokenizers.Count(tools, model.Encoding))
            + (other.IsEmpty ? 0 : tokenizers.Count(new string(other), model.Encoding));
    }
}
