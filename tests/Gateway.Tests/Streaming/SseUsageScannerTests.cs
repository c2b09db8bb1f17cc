using System.Text;
using CsCheck;
using LlmGateway.Streaming;

namespace LlmGateway.Tests.Streaming;

public sealed class SseUsageScannerTests
{
    // A transcript with everything an upstream may send: CRLF and LF, "data:" with and without a
    // space, comments, event and id lines, multi-byte UTF-8 (accents, CJK, emoji), a usage chunk.
    private const string Transcript =
        ": keep-alive\r\n" +
        "event: message\r\n" +
        "data: {\"id\":\"c1\",\"model\":\"gpt-4o-mini-2024\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\r\n\r\n" +
        "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Héllo \"},\"finish_reason\":null}]}\n\n" +
        "id: 7\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"世界 🌍\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}\n\n" +
        "data: [DONE]\n\n";

    [Fact]
    public void Extracts_text_finish_reason_model_and_usage()
    {
        using var scanner = Scan(Encoding.UTF8.GetBytes(Transcript), [int.MaxValue]);

        Assert.Equal("Héllo 世界 🌍", scanner.Text);
        Assert.Equal("stop", scanner.FinishReason);
        Assert.Equal("gpt-4o-mini-2024", scanner.Model);
        Assert.Equal(new StreamedUsage(12, 5, 4, 2, 17), scanner.Usage);
        Assert.True(scanner.SawDone);
        Assert.Equal(0, scanner.MalformedEvents);
    }

    [Fact]
    public void Any_split_into_reads_gives_the_same_result()
    {
        var bytes = Encoding.UTF8.GetBytes(Transcript);
        using var whole = Scan(bytes, [bytes.Length]);

        Gen.Int[1, 40].Array[1, 200].Sample(sizes =>
        {
            using var split = Scan(bytes, sizes);
            Assert.Equal(whole.Text, split.Text);
            Assert.Equal(whole.Usage, split.Usage);
            Assert.Equal(whole.FinishReason, split.FinishReason);
            Assert.Equal(whole.SawDone, split.SawDone);
        });
    }

    [Fact]
    public void Byte_by_byte_splits_every_utf8_character()
    {
        var bytes = Encoding.UTF8.GetBytes(Transcript);

        using var scanner = Scan(bytes, [1]);

        Assert.Equal("Héllo 世界 🌍", scanner.Text);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"usage\":{\"prompt_tokens\":\n\n", "a", 1)]
    [InlineData("data: not json\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n", "b", 1)]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"c\"}}],\"usage\":[1,2]}\n\n", "c", 0)]
    public void A_malformed_event_is_counted_and_the_rest_still_read(string transcript, string text, int malformed)
    {
        using var scanner = Scan(Encoding.UTF8.GetBytes(transcript), [7]);

        Assert.Equal(text, scanner.Text);
        Assert.Null(scanner.Usage);
        Assert.Equal(malformed, scanner.MalformedEvents);
    }

    [Fact]
    public void A_stream_cut_mid_line_keeps_what_arrived_and_an_error_event_is_noticed()
    {
        var cut = "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"tia";

        using var scanner = Scan(Encoding.UTF8.GetBytes(cut), [5]);

        Assert.Equal("par", scanner.Text);
        Assert.True(scanner.SawError);
        Assert.False(scanner.SawDone);
        Assert.Equal(1, scanner.MalformedEvents);
    }

    [Fact]
    public void Responses_api_usage_spellings_are_read()
    {
        using var scanner = Scan(Encoding.UTF8.GetBytes("data: {\"usage\":{\"input_tokens\":9,\"output_tokens\":3,\"input_tokens_details\":{\"cached_tokens\":1},\"output_tokens_details\":{\"reasoning_tokens\":0}}}\n\n"), [3]);

        Assert.Equal(new StreamedUsage(9, 3, 1, 0, null), scanner.Usage);
    }

    private static SseUsageScanner Scan(byte[] bytes, int[] sizes)
    {
        var scanner = new SseUsageScanner();
        var offset = 0;
        var i = 0;
        while (offset < bytes.Length)
        {
            var size = Math.Min(sizes[i++ % sizes.Length], bytes.Length - offset);
            scanner.Append(bytes.AsSpan(offset, size));
            offset += size;
        }

        scanner.Complete();
        return scanner;
    }
}
