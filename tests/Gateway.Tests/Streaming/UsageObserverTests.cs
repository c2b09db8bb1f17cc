using System.Text;
using LlmGateway.OpenAi;
using LlmGateway.Streaming;

namespace LlmGateway.Tests.Streaming;

/// <summary>What accounting reads from a response, through the one reader: here, when the first generated output came (TTFT).</summary>
public sealed class UsageObserverTests
{
    private const string RoleChunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n";

    [Theory]
    // A tool call alone, as chat streams it (name first, then the arguments).
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}]}}]}\n\n")]
    // Reasoning a compatible provider shows before any text.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me think.\"}}]}\n\n")]
    // The Responses API's reasoning summary.
    [InlineData("data: {\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_1\",\"output_index\":0,\"summary_index\":0,\"delta\":\"Thinking\"}\n\n")]
    // A refusal.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't\"}}]}\n\n")]
    public void The_first_generated_output_of_any_kind_is_timed_not_only_text(string firstOutput)
    {
        using var observer = new UsageObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.AppendSse(Encoding.UTF8.GetBytes(RoleChunk));
        Assert.Null(observer.FirstOutputTimestamp);

        reader.AppendSse(Encoding.UTF8.GetBytes(firstOutput));
        var first = observer.FirstOutputTimestamp;
        Assert.NotNull(first);

        // Text after it does not move it.
        reader.AppendSse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late text\"}}]}\n\n"u8);
        Assert.Equal(first, observer.FirstOutputTimestamp);
    }

    [Fact]
    public void A_stream_with_no_generated_output_has_no_first_output_time()
    {
        using var observer = new UsageObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.AppendSse(Encoding.UTF8.GetBytes(RoleChunk + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));

        Assert.Null(observer.FirstOutputTimestamp);
    }
}
