using System.Text;
using LlmGateway.Accounting;
using LlmGateway.Providers;
using LlmGateway.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Accounting;

/// <summary>The tap and the accountant together, on bytes as a provider sends them.</summary>
public sealed class UsageAccountantTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models =
        {
            ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" },
            ["gpt-4o"] = new CatalogModelOptions { Provider = "p" },
        },
    });

    private static readonly UsageAccountant Accountant = new(new TokenizerRegistry(), new PricingTable(new PricingOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);

    [Fact]
    public async Task A_stream_cut_before_its_usage_is_billed_for_the_text_that_was_generated()
    {
        var (tap, client) = Tap("text/event-stream", strip: true);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"Hello there, \"}}]}\n\n"), TestContext.Current.CancellationToken);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"general Kenobi\"}}]}\n\ndata: {\"choi"), TestContext.Current.CancellationToken);
        await tap.FlushPendingAsync(cut: false, TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("""{"messages":[{"role":"user","content":"Say hello"}]}"""), tap, DateTimeOffset.UtcNow);

        Assert.Equal(AccountingRecord.Estimated, record.Source);
        Assert.Equal(O200k.CountTokens("Hello there, general Kenobi"), record.OutputTokens);
        Assert.Equal(O200k.CountTokens("Say hello\n"), record.InputTokens);
        Assert.Null(record.CostUsd);
        Assert.EndsWith("data: {\"choi", Encoding.UTF8.GetString(client.ToArray()), StringComparison.Ordinal);
    }

    [Theory]
    // Choice 1's forced tool call, beside choice 0's: every choice's calls were generated.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"save\",\"arguments\":\"{\\\"a\\\":\\\"alpha beta\\\"}\"}}]}},{\"index\":1,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"save\",\"arguments\":\"{\\\"a\\\":\\\"gamma delta\\\"}\"}}]}}]}\n\n",
        "save {\"a\":\"alpha beta\"}\n", "save{\"a\":\"gamma delta\"}")]
    // A custom tool's free-form input.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"type\":\"custom\",\"custom\":{\"name\":\"shell\",\"input\":\"ls -la /tmp\"}}]}}]}\n\n",
        "shell ls -la /tmp\n", "")]
    // Responses API: an MCP call's arguments and the code interpreter's code, as their deltas streamed.
    [InlineData("data: {\"type\":\"response.mcp_call_arguments.delta\",\"output_index\":0,\"delta\":\"{\\\"q\\\":\\\"weather\\\"}\"}\n\ndata: {\"type\":\"response.code_interpreter_call_code.delta\",\"output_index\":1,\"delta\":\"print(1 + 1)\"}\n\n",
        "{\"q\":\"weather\"}print(1 + 1)", "")]
    // The same calls in a whole Responses body with no usage: from its output items, once.
    [InlineData("{\"object\":\"response\",\"output\":[{\"type\":\"mcp_call\",\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"weather\\\"}\"},{\"type\":\"code_interpreter_call\",\"code\":\"print(1 + 1)\"}]}",
        "lookup{\"q\":\"weather\"}print(1 + 1)", "")]
    // The code's deltas, then a final event whose output repeats them: counted once, not twice.
    [InlineData("data: {\"type\":\"response.code_interpreter_call_code.delta\",\"output_index\":0,\"delta\":\"print(1 + 1)\"}\n\ndata: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"usage\":null,\"output\":[{\"type\":\"code_interpreter_call\",\"code\":\"print(1 + 1)\"}]}}\n\n",
        "print(1 + 1)", "")]
    // A Responses API custom tool call: its item, then its input's deltas, counted once as the call's.
    [InlineData("data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"custom_tool_call\",\"call_id\":\"c1\",\"name\":\"sql\",\"input\":\"\"}}\n\ndata: {\"type\":\"response.custom_tool_call_input.delta\",\"output_index\":0,\"delta\":\"select * \"}\n\ndata: {\"type\":\"response.custom_tool_call_input.delta\",\"output_index\":0,\"delta\":\"from orders\"}\n\n",
        "select * from orders\n", "")]
    // Reasoning a provider shows (DeepSeek's reasoning_content, the Responses API's reasoning summary): the client got it.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me think it through, step by step.\"}}]}\n\n",
        "Let me think it through, step by step.", "")]
    // vLLM sends the same reasoning under both names: once.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"Let me think it through, step by step.\",\"reasoning_content\":\"Let me think it through, step by step.\"}}]}\n\n",
        "Let me think it through, step by step.", "")]
    [InlineData("data: {\"type\":\"response.reasoning_summary_text.delta\",\"output_index\":0,\"summary_index\":0,\"delta\":\"Weighing the two options.\"}\n\n",
        "Weighing the two options.", "")]
    public async Task A_cut_stream_is_billed_for_every_call_it_wrote(string events, string calls, string otherChoices)
    {
        var (tap, _) = Tap(events.StartsWith('{') ? "application/json" : "text/event-stream", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(events), TestContext.Current.CancellationToken);
        await tap.FlushPendingAsync(cut: true, TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow, interrupted: true);

        Assert.Equal(AccountingRecord.Estimated, record.Source);
        Assert.Equal(O200k.CountTokens(calls) + (otherChoices.Length == 0 ? 0 : O200k.CountTokens(otherChoices)), record.OutputTokens);
    }

    [Fact]
    public async Task The_usage_only_chunk_is_removed_when_split_across_writes_and_still_counted()
    {
        var (tap, client) = Tap("text/event-stream", strip: true);
        const string transcript = "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(transcript);
        for (var i = 0; i < bytes.Length; i += 7)
        {
            await tap.WriteAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)), TestContext.Current.CancellationToken);
        }

        await tap.FlushPendingAsync(cut: false, TestContext.Current.CancellationToken);
        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        var seen = Encoding.UTF8.GetString(client.ToArray());
        Assert.DoesNotContain("\"usage\"", seen, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"ok\"", seen, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", seen, StringComparison.Ordinal);
        Assert.Equal((3, 1, AccountingRecord.Reported), (record.InputTokens, record.OutputTokens, record.Source));
    }

    [Fact]
    public async Task A_json_response_passes_through_unchanged_and_its_usage_is_read()
    {
        var (tap, client) = Tap("application/json; charset=utf-8", strip: false);
        var body = Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}""");
        await tap.WriteAsync(body.AsMemory(0, 20), TestContext.Current.CancellationToken);
        await tap.WriteAsync(body.AsMemory(20), TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        Assert.Equal(body, client.ToArray());
        Assert.Equal((5, 4, 2, "length"), (record.InputTokens, record.CachedInputTokens, record.OutputTokens, record.FinishReason));
    }

    [Fact]
    public async Task An_estimate_reuses_the_prompt_count_the_budget_already_made()
    {
        var (tap, _) = Tap("text/event-stream", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"cut\"}}]}\n\n"), TestContext.Current.CancellationToken);
        var prompt = Prompt("""{"messages":[{"role":"user","content":"Reserve me"}]}""");
        var reserved = prompt.Count(new TokenizerRegistry());

        var record = Accountant.Account(Model(), prompt, tap, DateTimeOffset.UtcNow);

        Assert.Equal((AccountingRecord.Estimated, reserved), (record.Source, record.InputTokens));
        Assert.Equal(1, prompt.Tokenizations);
    }

    [Theory]
    // A compatible provider that reports reasoning in the total only: the total says what was generated.
    [InlineData("{\"prompt_tokens\":21,\"completion_tokens\":0,\"total_tokens\":81,\"completion_tokens_details\":{\"reasoning_tokens\":60}}", 21, 60)]
    [InlineData("{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}", 5, 7)]
    [InlineData("{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":3}", 5, 7)]
    // Negative figures are never billed as negative tokens (a negative cost).
    [InlineData("{\"prompt_tokens\":-1000000,\"completion_tokens\":-5,\"prompt_tokens_details\":{\"cached_tokens\":-3}}", 0, 0)]
    [InlineData("{\"input_tokens\":4,\"output_tokens\":0,\"total_tokens\":10}", 4, 6)]
    public async Task Reported_usage_is_billed_never_below_zero_nor_below_what_its_total_says_was_generated(string usage, long input, long output)
    {
        var (tap, _) = Tap("application/json", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("""{"choices":[{"message":{"content":""}}],"usage":""" + usage + "}"), TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        Assert.Equal((AccountingRecord.Reported, input, output), (record.Source, record.InputTokens, record.OutputTokens));
        Assert.True(record.CachedInputTokens >= 0 && record.CachedInputTokens <= record.InputTokens);
    }

    [Fact]
    public async Task A_cut_stream_whose_early_usage_counts_less_than_it_delivered_is_billed_for_what_it_delivered()
    {
        var (tap, _) = Tap("text/event-stream", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"delta\":{\"content\":\"\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":0}}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"a long answer that was delivered\"}}]}\n\n"), TestContext.Current.CancellationToken);

        var whole = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow, interrupted: false);
        var cut = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow, interrupted: true);

        Assert.Equal(0, whole.OutputTokens);
        Assert.Equal((AccountingRecord.Reported, (long)O200k.CountTokens("a long answer that was delivered")), (cut.Source, cut.OutputTokens));
    }

    [Fact]
    public async Task A_stream_that_lost_only_its_done_is_billed_at_its_usage_chunk_not_at_the_estimate()
    {
        // Every chunk came, the include_usage chunk last: the provider's count is of the whole answer, even when it is
        // below what the tokenizer makes of the text (a provider counts its own way), and whatever happened after it.
        var (tap, _) = Tap("text/event-stream", strip: true);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"delta\":{\"content\":\"a long answer that was delivered\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n"), TestContext.Current.CancellationToken);
        await tap.FlushPendingAsync(cut: false, TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow, interrupted: true);

        Assert.True(tap.StreamEnded);
        Assert.Equal((AccountingRecord.Reported, 3L, 2L), (record.Source, record.InputTokens, record.OutputTokens));
    }

    [Theory]
    [InlineData("application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\",\"audio\":{\"id\":\"a1\",\"data\":\"UklGRg==\",\"transcript\":\"hi\"}}}],\"usage\":{\"prompt_tokens\":2000,\"completion_tokens\":1500,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":1000},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":1000}}}")]
    [InlineData("text/event-stream", "data: {\"choices\":[{\"delta\":{\"audio\":{\"transcript\":\"hi\"}},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":2000,\"completion_tokens\":1500,\"prompt_tokens_details\":{\"audio_tokens\":1000},\"completion_tokens_details\":{\"audio_tokens\":1000}}}\n\ndata: [DONE]\n\n")]
    public async Task Reported_audio_tokens_are_billed_at_the_audio_price_and_unknown_without_one(string contentType, string body)
    {
        var pricing = new PricingTable(new PricingOptions
        {
            Models =
            {
                ["gpt-4o-mini"] = [new ModelPrice { EffectiveFrom = DateTimeOffset.UnixEpoch, InputPerMillion = 2.5m, OutputPerMillion = 10m, AudioInputPerMillion = 40m, AudioOutputPerMillion = 80m }],
                ["gpt-4o"] = [new ModelPrice { EffectiveFrom = DateTimeOffset.UnixEpoch, InputPerMillion = 2.5m, OutputPerMillion = 10m }],
            },
        });
        var accountant = new UsageAccountant(new TokenizerRegistry(), pricing, Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);
        var (audioPriced, _) = Tap(contentType, strip: false);
        var (textPriced, _) = Tap(contentType, strip: false);
        await audioPriced.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);
        await textPriced.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);

        var priced = accountant.Account(Model(), Prompt("{}"), audioPriced, DateTimeOffset.UtcNow);
        Assert.True(Catalog.TryGetModel("gpt-4o", out var textOnly));
        var unpriced = accountant.Account(textOnly, Prompt("{}"), textPriced, DateTimeOffset.UtcNow);

        // 1,000 × 2.5 + 1,000 × 40 + 500 × 10 + 1,000 × 80 per million; at the text price it would be 0.02.
        Assert.Equal((AccountingRecord.Reported, 2000L, 1500L, 1000L, 1000L, 0.1275m), (priced.Source, priced.InputTokens, priced.OutputTokens, priced.AudioInputTokens, priced.AudioOutputTokens, priced.CostUsd));
        Assert.Equal((AccountingRecord.Reported, 1000L, 1000L, (decimal?)null), (unpriced.Source, unpriced.AudioInputTokens, unpriced.AudioOutputTokens, unpriced.CostUsd));
        Assert.Contains("\"audio_output_tokens\":1000", Encoding.UTF8.GetString(UsageComment.Format(priced)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_body_past_the_cap_is_billed_from_the_usage_at_its_end()
    {
        var (tap, client) = Tap("application/json", strip: false);
        var body = Encoding.UTF8.GetBytes("{\"choices\":[{\"message\":{\"content\":\"" + new string('x', 5 * 1024 * 1024)
            + "\\\"usage\\\": {\\\"prompt_tokens\\\":1}\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1234567,\"total_tokens\":1234576}}");
        for (var i = 0; i < body.Length; i += 100_000)
        {
            await tap.WriteAsync(body.AsMemory(i, Math.Min(100_000, body.Length - i)), TestContext.Current.CancellationToken);
        }

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow, outputBound: 16_384);

        Assert.Equal(body.Length, client.Length);
        Assert.False(tap.Unread);
        Assert.Equal((AccountingRecord.Reported, 9L, 1_234_567L), (record.Source, record.InputTokens, record.OutputTokens));
    }

    [Theory]
    [InlineData("application/json", null, true)]
    [InlineData("text/plain", null, false)]
    [InlineData("application/json", "gzip", false)]
    public async Task An_answer_the_gateway_could_not_read_is_billed_at_the_requests_output_bound(string contentType, string? coding, bool pastTheCap)
    {
        var (tap, _, context) = TapWithContext(contentType);
        if (coding is not null)
        {
            context.Response.Headers.ContentEncoding = coding;
        }

        // Past the cap with no usage at its end, or a body the gateway does not read at all.
        var body = pastTheCap ? "{\"choices\":[{\"message\":{\"content\":\"" + new string('x', 5 * 1024 * 1024) + "\"}}]}" : "{\"choices\":[{\"message\":{\"content\":\"unread\"}}]}";
        await tap.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("""{"messages":[{"role":"user","content":"hi"}]}"""), tap, DateTimeOffset.UtcNow, outputBound: 16_384);

        Assert.True(tap.Unread);
        Assert.Equal((AccountingRecord.Bounded, 16_384L), (record.Source, record.OutputTokens));
    }

    [Theory]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"an answer cut sh")]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"two\"}}]} {\"objects\":1}")]
    public async Task A_json_body_the_gateway_could_not_parse_is_billed_at_the_requests_output_bound(string body)
    {
        // Nothing of it was read: its text may be long, and an estimate of what was read (nothing) would make it free.
        var (tap, _) = Tap("application/json", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("""{"messages":[{"role":"user","content":"hi"}]}"""), tap, DateTimeOffset.UtcNow, outputBound: 16_384);

        Assert.True(tap.Unread);
        Assert.Equal((AccountingRecord.Bounded, 16_384L), (record.Source, record.OutputTokens));
        Assert.Equal(1, record.UnreadableEvents);
    }

    [Fact]
    public async Task Priority_processing_is_billed_at_its_factor_of_the_standard_price()
    {
        var pricing = new PricingTable(new PricingOptions
        {
            PriorityTierFactor = 1.75m,
            Models = { ["gpt-4o-mini"] = [new ModelPrice { EffectiveFrom = DateTimeOffset.UnixEpoch, InputPerMillion = 1m, OutputPerMillion = 2m }] },
        });
        var accountant = new UsageAccountant(new TokenizerRegistry(), pricing, Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);
        const string body = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000}}";
        var (standardTap, _) = Tap("application/json", strip: false);
        var (priorityTap, _) = Tap("application/json", strip: false);
        await standardTap.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);
        await priorityTap.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);

        var standard = accountant.Account(Model(), Prompt("{}"), standardTap, DateTimeOffset.UtcNow);
        var priority = accountant.Account(Model(), Prompt("{}"), priorityTap, DateTimeOffset.UtcNow, priorityTier: true);

        Assert.Equal((3m, 5.25m), (standard.CostUsd, priority.CostUsd));
    }

    [Theory]
    [InlineData(false, "application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000},\"service_tier\":\"priority\"}", 5.25)]
    [InlineData(false, "application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000},\"service_tier\":\"default\"}", 3)]
    [InlineData(true, "application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000},\"service_tier\":\"auto\"}", 5.25)]
    [InlineData(true, "application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000},\"service_tier\":\"default\"}", 3)]
    [InlineData(true, "application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000},\"service_tier\":\"priority\"}", 5.25)]
    [InlineData(true, "application/json", "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000}}", 5.25)]
    [InlineData(true, "application/json", "{\"object\":\"response\",\"service_tier\":\"default\",\"output\":[],\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1000000}}", 3)]
    [InlineData(true, "text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"service_tier\":\"default\"}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000},\"service_tier\":\"default\"}\n\ndata: [DONE]\n\n", 3)]
    [InlineData(true, "text/event-stream", "data: {\"type\":\"response.completed\",\"response\":{\"service_tier\":\"default\",\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1000000}}}\n\n", 3)]
    public async Task Priority_is_billed_at_the_tier_the_response_says_served_it(bool asked, string contentType, string body, decimal expectedCost)
    {
        // A project without priority access is served, and billed, at its default tier; one whose default is priority is
        // served and billed at priority without asking; a response that names no tier is priced as asked.
        var pricing = new PricingTable(new PricingOptions
        {
            PriorityTierFactor = 1.75m,
            Models = { ["gpt-4o-mini"] = [new ModelPrice { EffectiveFrom = DateTimeOffset.UnixEpoch, InputPerMillion = 1m, OutputPerMillion = 2m }] },
        });
        var accountant = new UsageAccountant(new TokenizerRegistry(), pricing, Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);
        var (tap, _) = Tap(contentType, strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);

        var record = accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow, priorityTier: asked);

        Assert.Equal((AccountingRecord.Reported, expectedCost), (record.Source, record.CostUsd));
    }

    [Theory]
    // A whole Responses body: two searches and a file search beside the answer; a function call the client runs is free.
    [InlineData("application/json",
        "{\"object\":\"response\",\"output\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":\"completed\"},{\"type\":\"web_search_call\",\"id\":\"ws_2\",\"status\":\"completed\"},{\"type\":\"file_search_call\",\"id\":\"fs_1\"},{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},{\"type\":\"custom_tool_call\",\"call_id\":\"c2\",\"name\":\"g\",\"input\":\"x\"},{\"type\":\"mcp_call\",\"id\":\"m1\",\"name\":\"h\",\"arguments\":\"{}\"},{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\"}]}],\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1000000}}",
        3, 3.0225)]
    // A stream names each call in its item events and again in its final output: each call counted once.
    [InlineData("text/event-stream",
        "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":\"in_progress\"}}\n\n"
        + "data: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":\"completed\"}}\n\n"
        + "data: {\"type\":\"response.output_text.delta\",\"output_index\":1,\"delta\":\"hi\"}\n\n"
        + "data: {\"type\":\"response.completed\",\"response\":{\"output\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\"},{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\"}]}],\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1000000}}}\n\n",
        1, 3.01)]
    public async Task Calls_of_the_providers_own_tools_are_billed_at_their_fee_beside_the_tokens(string contentType, string body, int calls, decimal expectedCost)
    {
        var accountant = new UsageAccountant(new TokenizerRegistry(), ToolPricing(), Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);
        var (tap, _) = Tap(contentType, strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);

        var record = accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        Assert.Equal((AccountingRecord.Reported, calls, expectedCost), (record.Source, record.ProviderToolCalls, record.CostUsd));
    }

    [Fact]
    public async Task A_chat_search_is_billed_once_and_a_call_of_a_tool_without_a_price_makes_the_cost_unknown()
    {
        var accountant = new UsageAccountant(new TokenizerRegistry(), ToolPricing(), Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);
        var (chat, _) = Tap("application/json", strip: false);
        await chat.WriteAsync("{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":1000000}}"u8.ToArray(), TestContext.Current.CancellationToken);
        var (unpriced, _) = Tap("application/json", strip: false);
        await unpriced.WriteAsync("{\"object\":\"response\",\"output\":[{\"type\":\"image_generation_call\",\"id\":\"ig_1\"}],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"u8.ToArray(), TestContext.Current.CancellationToken);

        var searched = accountant.Account(Model(), Prompt("{}"), chat, DateTimeOffset.UtcNow, searchesAsked: 1);
        var unknown = accountant.Account(Model(), Prompt("{}"), unpriced, DateTimeOffset.UtcNow);

        Assert.Equal((1, 3.01m), (searched.ProviderToolCalls, searched.CostUsd));
        Assert.Equal((1, (decimal?)null), (unknown.ProviderToolCalls, unknown.CostUsd));
    }

    private static PricingTable ToolPricing() => new(new PricingOptions
    {
        Models = { ["gpt-4o-mini"] = [new ModelPrice { EffectiveFrom = DateTimeOffset.UnixEpoch, InputPerMillion = 1m, OutputPerMillion = 2m }] },
        ToolCalls = { ["web_search"] = 0.01m, ["file_search"] = 0.0025m },
    });

    [Fact]
    public async Task A_json_body_after_a_byte_order_mark_is_read()
    {
        var (tap, _) = Tap("application/json", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("\uFEFF{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}"), TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        Assert.Equal((AccountingRecord.Reported, 5L, 2L), (record.Source, record.InputTokens, record.OutputTokens));
    }

    [Theory]
    // gpt-4o: 765, its count for a 1024×1024 image at high detail. gpt-4o-mini, whose per-image bound is 48,169 to
    // the others' 3,779: 765 × 48,169 ÷ 3,779.
    [InlineData("gpt-4o", 765)]
    [InlineData("gpt-4o-mini", 9_751)]
    public void An_image_of_a_request_left_unreported_is_estimated_in_proportion_to_its_models_per_image_bound(string modelName, long imageTokens)
    {
        // gpt-4o-mini counts images at ~33 times gpt-4o's tokens: estimated at gpt-4o's 765, an abandoned request with
        // images cost the operators far more than the key was billed.
        Assert.True(Catalog.TryGetModel(modelName, out var model));
        var withImage = Prompt("""{"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}""");
        var textOnly = Prompt("""{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""");

        var billed = Accountant.Abandoned(model, withImage, DateTimeOffset.UtcNow, 0).InputTokens - Accountant.Abandoned(model, textOnly, DateTimeOffset.UtcNow, 0).InputTokens;

        Assert.Equal(imageTokens, billed);
    }

    private static PromptTokenEstimate Prompt(string body) => new(Encoding.UTF8.GetBytes(body), TokenizerRegistry.O200k);

    private static CatalogModel Model()
    {
        Assert.True(Catalog.TryGetModel("gpt-4o-mini", out var model));
        return model;
    }

    private static (ResponseTap Tap, MemoryStream Client, DefaultHttpContext Context) TapWithContext(string contentType)
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        var inner = new StreamResponseBodyFeature(client);
        return (new ResponseTap(inner, context.Response), client, context);
    }

    private static (ResponseTap Tap, MemoryStream Client) Tap(string contentType, bool strip)
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        var inner = new StreamResponseBodyFeature(client);
        return (new ResponseTap(inner, context.Response, strip), client);
    }
}
