using System.Text;
using LlmGateway.OpenAi;
using LlmGateway.Streaming;

namespace LlmGateway.Tests.Streaming;

public sealed class UsageChunkFilterTests
{
    [Theory]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n", true)]
    [InlineData("data:{\"usage\":{\"prompt_tokens\":3},\"object\":\"text_completion\",\"choices\":[]}\r\n\r\n", true)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":3}}\n\n", false)]
    [InlineData("data: {\"choices\":[],\"usage\":null}\n\n", false)]
    [InlineData("data: {\"choices\":[]}\n\n", false)]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}\n\n", false)]
    [InlineData("data: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":3}}}\n\n", false)]
    [InlineData(": {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\n", false)]
    [InlineData("data: [DONE]\n\n", false)]
    public void Only_a_whole_usage_only_chunk_is_dropped_and_exactly_its_bytes(string @event, bool dropped)
    {
        var filter = new UsageChunkFilter();
        using var reader = new OpenAiResponseReader(filter);
        const string Before = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n";
        var bytes = Encoding.UTF8.GetBytes(Before + @event);

        reader.AppendSse(bytes);

        if (dropped)
        {
            var (start, end) = Assert.Single(filter.Drops);
            Assert.Equal(@event, Encoding.UTF8.GetString(bytes.AsSpan((int)start, (int)(end - start))));
        }
        else
        {
            Assert.Empty(filter.Drops);
        }
    }
}
