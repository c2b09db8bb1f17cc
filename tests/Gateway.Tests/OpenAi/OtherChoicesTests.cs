using System.Text;
using LlmGateway.OpenAi;
using LlmGateway.Sampling.Capture;
using LlmGateway.Streaming;

namespace LlmGateway.Tests.OpenAi;

/// <summary>
/// With <c>n</c> &gt; 1 every choice is generated and billed: an output estimate (no usage reported) counts all of
/// their text, while the reassembled answer (samples) stays choice 0's.
/// </summary>
public sealed class OtherChoicesTests
{
    private const string Stream =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"aaa\"}},{\"index\":1,\"delta\":{\"content\":\"bbb\"}}]}\n\n"
        + "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"ccc\"},\"finish_reason\":\"length\"}]}\n\n"
        + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";

    [Fact]
    public void The_estimate_counts_the_text_of_every_choice_and_the_finish_reason_stays_choice_0s()
    {
        var usage = new UsageObserver();
        using var reader = new OpenAiResponseReader(usage);

        reader.AppendSse(Encoding.UTF8.GetBytes(Stream));
        reader.CompleteSse();

        Assert.Equal("aaabbbccc", usage.Text.ToString());
        Assert.Equal("stop", usage.FinishReason);
    }

    [Fact]
    public void A_non_streamed_body_with_two_choices_counts_both()
    {
        var usage = new UsageObserver();
        using var reader = new OpenAiResponseReader(usage);

        reader.ReadJson(Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"role":"assistant","content":"first"},"finish_reason":"stop"},{"index":1,"message":{"role":"assistant","content":"second"},"finish_reason":"length"}]}"""));

        Assert.Equal("firstsecond", usage.Text.ToString());
        Assert.Equal("stop", usage.FinishReason);
    }

    [Fact]
    public void The_reassembled_answer_is_choice_0s_alone()
    {
        var reassembled = ResponseReassembler.Reassemble("text/event-stream", Encoding.UTF8.GetBytes(Stream), truncated: false, SseFramer.DefaultMaxLineBytes);

        Assert.Equal("aaa", reassembled.Text);
        Assert.Equal("stop", reassembled.FinishReason);
    }
}
