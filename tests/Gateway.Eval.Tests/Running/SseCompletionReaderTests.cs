using System.Diagnostics;
using System.Text;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Running;

public sealed class SseCompletionReaderTests
{
    /// <summary>Exactly what the gateway appends after a good stream (see the gateway's UsageComment).</summary>
    public const string Usage = """: gateway-usage {"model":"gpt-4o-mini","input_tokens":12,"cached_input_tokens":0,"output_tokens":9,"reasoning_tokens":0,"source":"reported","cost_usd":0.0000072,"finish_reason":"tool_calls","ttft_ms":3.1,"response_model":"gpt-4o-mini"}""";

    /// <summary>The gateway's error event for a provider stream cut after it started (see the gateway's StreamErrorEvent).</summary>
    public const string CutEvent = "\n\ndata: {\"error\":{\"message\":\"The provider's stream ended before the response was complete. What was generated is billed.\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_stream_cut\"}}\n\n";

    /// <summary>Text in two deltas, two tool calls whose fragments interleave by index, a usage-only chunk, [DONE], the usage comment.</summary>
    public static readonly string Complete = string.Concat(
        Data("""{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"""),
        Data("""{"choices":[{"index":0,"delta":{"content":"Your refund "}}]}"""),
        Data("""{"choices":[{"index":0,"delta":{"content":"is on its way."}}]}"""),
        Data("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"lookup_order","arguments":""}}]}}]}"""),
        Data("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"notify","arguments":"{\"to\":"}}]}}]}"""),
        Data("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"id\":"}}]}}]}"""),
        Data("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"42}"}},{"index":1,"function":{"arguments":"\"ada\"}"}}]}}]}"""),
        Data("""{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""),
        Data("""{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":9}}"""),
        "data: [DONE]\n\n",
        Usage + "\n\n");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Data(string json) => $"data: {json}\n\n";

    private static Task<StreamedCompletion> ReadAsync(string sse, int bytesPerRead = int.MaxValue) =>
        SseCompletionReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(sse), bytesPerRead), Stopwatch.StartNew(), Ct);

    [Fact]
    public async Task It_reassembles_the_text_the_tool_calls_by_index_the_finish_reason_and_the_gateways_usage()
    {
        var result = await ReadAsync(Complete);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("Your refund is on its way.", result.Output);
        Assert.Equal([new ToolCall("lookup_order", "{\"id\":42}"), new ToolCall("notify", "{\"to\":\"ada\"}")], result.ToolCalls);
        Assert.Equal("tool_calls", result.FinishReason);
        Assert.Equal(new StreamedUsage(12, 9, 0.0000072m, "reported", Cut: false), result.Usage);
        Assert.NotNull(result.TimeToFirstTokenMs);
    }

    [Fact]
    public async Task An_emoji_whose_surrogate_escapes_are_split_across_chunks_comes_out_whole()
    {
        var sse = string.Concat(
            Data("""{"choices":[{"index":0,"delta":{"content":"Hi \ud83d"}}]}"""),
            Data("""{"choices":[{"index":0,"delta":{"content":"\udc4b there"}}]}"""),
            Data("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"wave","arguments":"{\"e\":\"\ud83d"}}]}}]}"""),
            Data("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\udc4b\"}"}}]},"finish_reason":"stop"}]}"""),
            "data: [DONE]\n\n",
            Usage + "\n\n");

        var result = await ReadAsync(sse);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("Hi \U0001F44B there", result.Output);
        Assert.Equal([new ToolCall("wave", "{\"e\":\"\U0001F44B\"}")], result.ToolCalls);
    }

    [Fact]
    public async Task A_surrogate_half_that_never_pairs_is_a_replacement_character_not_a_failed_call()
    {
        var sse = string.Concat(
            Data("""{"choices":[{"index":0,"delta":{"content":"cut \ud83d"}}]}"""),
            Data("""{"choices":[{"index":0,"delta":{"content":" here"},"finish_reason":"stop"}]}"""),
            "data: [DONE]\n\n",
            Usage + "\n\n");

        var result = await ReadAsync(sse);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("cut \uFFFD here", result.Output);
    }

    [Theory]
    [InlineData("\r\n", 1)]
    [InlineData("\r", 3)]
    [InlineData("\n", 7)]
    public async Task Any_line_ending_and_any_read_split_give_the_same_answer(string newline, int bytesPerRead)
    {
        var expected = await ReadAsync(Complete);

        var result = await ReadAsync(Complete.Replace("\n", newline, StringComparison.Ordinal), bytesPerRead);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(expected.Output, result.Output);
        Assert.Equal(expected.ToolCalls, result.ToolCalls);
        Assert.Equal(expected.Usage, result.Usage);
    }

    [Fact]
    public async Task Data_lines_of_one_event_join_and_other_fields_and_comments_are_ignored()
    {
        var sse = "id: 1\nretry: 10\n: keep-alive\nevent: message\ndata: {\"choices\":[{\"index\":0,\n"
            + "data: \"delta\":{\"content\":\"joined\"}}]}\n\n"
            + "data: [DONE]\n\n";

        var result = await ReadAsync(sse);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("joined", result.Output);
        Assert.Null(result.Usage);
    }

    [Fact]
    public async Task Another_choice_than_the_first_is_not_part_of_the_answer()
    {
        var sse = Data("""{"choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"mine"}}]}""") + "data: [DONE]\n\n";

        var result = await ReadAsync(sse);

        Assert.Equal("mine", result.Output);
    }

    [Fact]
    public async Task An_unknown_cost_stays_unknown()
    {
        var sse = Data("""{"choices":[{"index":0,"delta":{"content":"hi"}}]}""") + "data: [DONE]\n\n"
            + """: gateway-usage {"model":"house","input_tokens":3,"output_tokens":1,"source":"estimated","cost_usd":null}""" + "\n\n";

        var result = await ReadAsync(sse);

        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.Usage!.CostUsd);
        Assert.Equal(1, result.Usage.OutputTokens);
    }

    [Fact]
    public async Task A_stream_that_stops_before_done_is_a_transient_failure_even_mid_event()
    {
        var started = Data("""{"choices":[{"index":0,"delta":{"content":"Your refund"}}]}""");

        var clean = await ReadAsync(started);
        var torn = await ReadAsync(started + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" is");

        foreach (var result in new[] { clean, torn })
        {
            Assert.False(result.Succeeded);
            Assert.True(result.Transient);
            Assert.Contains("cut", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_gateways_cut_event_is_a_transient_failure_with_its_code_and_message()
    {
        var sse = Data("""{"choices":[{"index":0,"delta":{"content":"Your ref"}}]}""") + "data: {\"choices\":[{\"ind" + CutEvent
            + """: gateway-usage {"model":"gpt-4o-mini","input_tokens":12,"output_tokens":2,"source":"estimated","cost_usd":0.0000030,"cut":true}""" + "\n\n";

        var result = await ReadAsync(sse);

        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.Equal("upstream_stream_cut", result.ErrorCode);
        Assert.Contains("The provider's stream ended before the response was complete", result.Error, StringComparison.Ordinal);
        Assert.True(result.Usage!.Cut);
    }

    [Fact]
    public async Task A_usage_comment_that_says_cut_fails_the_call_even_after_done()
    {
        var sse = Data("""{"choices":[{"index":0,"delta":{"content":"hi"}}]}""") + "data: [DONE]\n\n"
            + """: gateway-usage {"model":"gpt-4o-mini","input_tokens":1,"output_tokens":1,"source":"estimated","cost_usd":0.000001,"cut":true}""" + "\n\n";

        var result = await ReadAsync(sse);

        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
    }

    [Theory]
    [InlineData("event: error\ndata: {\"message\":\"overloaded\"}\n\n", true, null)]
    [InlineData("data: {\"error\":{\"message\":\"bad tool schema\",\"type\":\"invalid_request_error\",\"code\":\"invalid_tools\"}}\n\n", false, "invalid_tools")]
    [InlineData("data: {\"error\":\"plain text\"}\n\n", true, null)]
    [InlineData("data: not json\n\n", false, null)]
    public async Task An_error_event_or_an_unreadable_one_fails_the_call_even_when_done_follows(string badEvent, bool transient, string? code)
    {
        var sse = Data("""{"choices":[{"index":0,"delta":{"content":"partial"}}]}""") + badEvent + "data: [DONE]\n\n" + Usage + "\n\n";

        var result = await ReadAsync(sse);

        Assert.False(result.Succeeded);
        Assert.Equal(transient, result.Transient);
        Assert.Equal(code, result.ErrorCode);
    }

    /// <summary>Hands out its bytes at most <c>bytesPerRead</c> at a time, as a network read might.</summary>
    private sealed class TrickleStream(byte[] bytes, int bytesPerRead) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, bytesPerRead)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, bytesPerRead), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
    }
}
