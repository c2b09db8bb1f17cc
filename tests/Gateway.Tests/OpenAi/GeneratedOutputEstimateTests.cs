using System.Text;
using LlmGateway.OpenAi;
using LlmGateway.Streaming;

namespace LlmGateway.Tests.OpenAi;

/// <summary>
/// When no usage arrives (a client cut the stream before the usage chunk), output is estimated from what was
/// generated: text, and also refusals and tool calls, which are billed output as much as text is. Counting text
/// alone made a forced tool call cut before its usage free of output.
/// </summary>
public sealed class GeneratedOutputEstimateTests
{
    [Fact]
    public void A_streamed_chat_tool_calls_name_and_arguments_are_seen_for_the_estimate()
    {
        const string Stream =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}]}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\\\":\"}}]}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"parcel\\\"}\"}}]}}]}\n\n";
        using var usage = Observe(Stream);

        Assert.Equal("lookup {\"q\":\"parcel\"}\n", usage.ToolCallText);
        Assert.Equal("", usage.Text.ToString());
    }

    [Fact]
    public void A_chat_refusal_is_generated_text_for_the_estimate()
    {
        const string Stream =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't \"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"help with that.\"}}]}\n\n";
        using var usage = Observe(Stream);

        Assert.Equal("I can't help with that.", usage.Text.ToString());
    }

    [Fact]
    public void A_responses_api_call_streamed_then_repeated_whole_is_not_counted_twice()
    {
        const string Stream =
            "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"lookup\",\"arguments\":\"\"}}\n\n"
            + "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"{\\\"q\\\":\"}\n\n"
            + "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"\\\"parcel\\\"}\"}\n\n"
            + "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"parcel\\\"}\"}}\n\n";
        using var usage = Observe(Stream);

        // The done item replaces the added one, and is fuller than the deltas: the call once, its name once.
        Assert.Equal("lookup {\"q\":\"parcel\"}\n", usage.ToolCallText);
    }

    [Fact]
    public void A_responses_api_stream_cut_with_one_call_done_and_one_half_streamed_counts_both()
    {
        const string Stream =
            "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":1}\"}}\n\n"
            + "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"type\":\"function_call\",\"id\":\"fc_2\",\"call_id\":\"call_2\",\"name\":\"send\",\"arguments\":\"\"}}\n\n"
            + "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":1,\"delta\":\"{\\\"to\\\":\\\"someone with a long name\"}\n\n";
        using var usage = Observe(Stream);

        Assert.Equal("lookup {\"q\":1}\n{\"to\":\"someone with a long name\n", usage.ToolCallText);
    }

    [Fact]
    public void A_restarted_observer_forgets_the_tool_calls_it_saw()
    {
        using var usage = new UsageObserver();
        using (var reader = new OpenAiResponseReader(usage))
        {
            reader.AppendSse(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\n"));
        }

        Assert.NotEqual("", usage.ToolCallText);
        usage.Restart();
        Assert.Equal("", usage.ToolCallText);
    }

    /// <summary>What the one response reader tells accounting's observer of <paramref name="stream"/>.</summary>
    private static UsageObserver Observe(string stream)
    {
        var usage = new UsageObserver();
        using var reader = new OpenAiResponseReader(usage);
        reader.AppendSse(Encoding.UTF8.GetBytes(stream));
        return usage;
    }
}
