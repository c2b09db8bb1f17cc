using System.Text;
using CsCheck;
using LlmGateway.OpenAi;

namespace LlmGateway.Tests.OpenAi;

public sealed class OpenAiResponseReaderTests
{
    // Everything an upstream may send: CRLF and LF, "data:" with and without its space, comments,
    // event and id lines, multi-byte UTF-8 (accents, CJK, emoji), escapes, a usage-only chunk.
    private const string ChatTranscript =
        ": keep-alive\r\n" +
        "event: message\r\n" +
        "data: {\"id\":\"c1\",\"model\":\"gpt-4o-mini-2024\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\r\n\r\n" +
        "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Héllo \"},\"finish_reason\":null}]}\n\n" +
        "id: 7\n" +
        "data: {\"model\":\"gpt-4o-mini-2024\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"世界 🌍 \\\"q\\\"\\n\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}\n\n" +
        "data: [DONE]\n\n";

    [Fact]
    public void A_chat_stream_gives_text_model_finish_reason_usage_and_its_end()
    {
        var (reader, observer) = Read(ChatTranscript, [int.MaxValue]);

        Assert.Equal("Héllo 世界 🌍 \"q\"\n", observer.Text);
        Assert.Equal("gpt-4o-mini-2024", observer.Model);
        Assert.Equal("stop", observer.FinishReason);
        Assert.Equal(new OpenAiUsage(12, 5, 4, 2, 17), observer.Usage);
        Assert.Equal(1, observer.Ends);
        Assert.True(reader.SawDone);
        Assert.Equal((5, 0, 0), (reader.DataEvents, reader.MalformedEvents, reader.InvalidTextEvents));
        Assert.Single(observer.Calls, c => c.StartsWith("model", StringComparison.Ordinal));
    }

    [Fact]
    public void The_usage_only_chunk_ends_a_chat_stream_once_with_or_without_its_done()
    {
        // OpenAI sends it after every choice's finish and before [DONE] alone: the stream is over when it is read.
        var observer = new RecordingObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.AppendSse("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"u8);
        Assert.False(reader.SawEnd);
        reader.AppendSse("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n"u8);
        Assert.True(reader.SawEnd);
        Assert.Equal(1, observer.Ends);
        reader.AppendSse("data: [DONE]\n\n"u8);

        Assert.True(reader.SawDone);
        Assert.Equal(1, observer.Ends);
    }

    [Fact]
    public void Any_split_into_reads_gives_the_same_calls()
    {
        var (_, whole) = Read(ChatTranscript, [int.MaxValue]);

        var bytes = Encoding.UTF8.GetBytes(ChatTranscript);
        Gen.Int[1, 40].Array[1, 200].Sample(sizes =>
        {
            var (reader, split) = Read(ChatTranscript, sizes);
            Assert.Equal(whole.Calls, split.Calls);
            Assert.Equal(whole.Events.Count, split.Events.Count);
            foreach (var (one, other) in whole.Events.Zip(split.Events))
            {
                // The same event, but for the LF of a blank line's CRLF split across reads: the CR ended the event.
                Assert.Equal((one.Flags, one.Start), (other.Flags, other.Start));
                Assert.True(other.End == one.End || (other.End == one.End - 1 && bytes[other.End] == (byte)'\n'), $"{other} for {one}");
            }

            Assert.Equal(5, reader.Parses);
        });
    }

    [Fact]
    public void Byte_by_byte_reads_split_every_character_and_line_ending()
    {
        var (_, observer) = Read(ChatTranscript, [1]);

        Assert.Equal("Héllo 世界 🌍 \"q\"\n", observer.Text);
        Assert.Equal(new OpenAiUsage(12, 5, 4, 2, 17), observer.Usage);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Every_line_ending_frames_the_same_events(string newline)
    {
        var transcript = $"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"a\"}}}}]}}{newline}{newline}: c{newline}data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"b\"}}}}]}}{newline}{newline}data: [DONE]{newline}{newline}";

        foreach (var size in new[] { 1, 2, 3, int.MaxValue })
        {
            var (reader, observer) = Read(transcript, [size]);
            Assert.Equal("ab", observer.Text);
            Assert.Equal(2, reader.DataEvents);
            Assert.True(reader.SawDone);
        }
    }

    [Theory]
    [InlineData("\r\r")]
    [InlineData("\r\n\r")]
    public void A_read_ending_in_a_blank_lines_cr_ends_its_event_in_that_read(string ending)
    {
        var observer = new RecordingObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.AppendSse(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}" + ending));

        Assert.Equal("a", observer.Text);
        Assert.Null(reader.PendingEventStart);

        // An LF after it (the rest of a CRLF) is skipped, not the start of an event.
        reader.AppendSse("\ndata: [DONE]\r"u8);
        reader.AppendSse("\r"u8);

        Assert.True(reader.SawEnd);
        Assert.Single(observer.Events, e => !e.Is(OpenAiEventFlags.Done));
    }

    [Theory]
    [InlineData("data: [DONE]\n", true)]
    [InlineData("data: [DONE]\r", true)]
    [InlineData("event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}}\n", true)]
    [InlineData("data: {\"type\":\"response.incomplete\",\"response\":{}}\n", true)]
    // Chat's include_usage chunk: only [DONE] follows it.
    [InlineData("data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n", true)]
    [InlineData("data: {\"choices\":[{\"index\":0}],\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\r", true)]
    // A line not yet ended, JSON not yet whole, another kind of event, or a second data line: not over.
    [InlineData("data: [DONE]", false)]
    [InlineData("data: {\"type\":\"response.completed\",\"response\":{\"status\":\n", false)]
    [InlineData("data: {\"type\":\"response.output_text.delta\",\"delta\":\"x\"}\n", false)]
    [InlineData("data: [DONE]\ndata: x\n", false)]
    [InlineData("data: {\"type\":\"response.completed\"} {}\n", false)]
    // Not the usage-only chunk: a choice, no usage, an error beside it, or its JSON not yet whole.
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":1}}\n", false)]
    [InlineData("data: {\"choices\":[],\"usage\":null}\n", false)]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1},\"error\":{\"message\":\"x\"}}\n", false)]
    [InlineData("data: {\"choices\":[],\"choices\":[{}],\"usage\":{\"prompt_tokens\":1}}\n", false)]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}\n", false)]
    public void An_end_whose_blank_line_has_not_come_is_pending_and_told_only_when_read(string transcript, bool pending)
    {
        var observer = new RecordingObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.AppendSse(Encoding.UTF8.GetBytes(transcript));

        Assert.False(reader.SawEnd);
        Assert.Equal(pending, reader.EndPending);
        Assert.Equal(0, observer.Ends);
        Assert.Empty(observer.Events);
    }

    [Fact]
    public void Data_on_several_lines_is_joined_with_newlines()
    {
        var (reader, observer) = Read("data: {\"choices\":[{\"index\":0,\r\ndata:\"delta\":{\"content\":\"two\"}}]}\r\n\r\n", [3]);

        Assert.Equal("two", observer.Text);
        Assert.Equal((1, 0), (reader.DataEvents, reader.MalformedEvents));
    }

    [Fact]
    public void A_leading_byte_order_mark_is_skipped()
    {
        var bytes = (byte[])[0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n")];

        var (_, observer) = Read(bytes, [1]);

        Assert.Equal("x", observer.Text);
    }

    [Fact]
    public void Token_counts_written_as_integral_floats_are_read_as_integers_are_and_fractions_are_not()
    {
        var transcript =
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5.0,\"completion_tokens\":1.2e1,\"total_tokens\":17.5,\"prompt_tokens_details\":{\"cached_tokens\":-1.0}}}\n\n" +
            "data: [DONE]\n\n";

        var (_, observer) = Read(transcript, [int.MaxValue]);

        Assert.Equal(new OpenAiUsage(5, 12, -1, null, null), observer.Usage);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_read_as_a_replacement_character_counted_and_the_usage_still_read()
    {
        var transcript =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ud800\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\udc00b\\ud83c\\udf0d\"}}]}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}\n\n" +
            "data: [DONE]\n\n";

        var (reader, observer) = Read(transcript, [7]);

        Assert.Equal("a\uFFFD\uFFFDb🌍", observer.Text);
        Assert.Equal((2, 0), (reader.InvalidTextEvents, reader.MalformedEvents));
        Assert.Equal(new OpenAiUsage(5, 7, null, null, null), observer.Usage);
        Assert.True(reader.SawDone);
    }

    [Fact]
    public void Invalid_utf8_is_read_as_replacement_characters_and_counted()
    {
        byte[] bytes =
        [
            .. "data: {\"model\":\"m\\u00e9\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x"u8, 0xFF, 0xC3, .. "y\"}}]}\n\n"u8,
            .. "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}\n\ndata: [DONE]\n\n"u8,
        ];

        var (reader, observer) = Read(bytes, [5]);

        Assert.Equal("x\uFFFD\uFFFDy", observer.Text);
        Assert.Equal("mé", observer.Model);
        Assert.Equal((1, 0), (reader.InvalidTextEvents, reader.MalformedEvents));
        Assert.Equal(new OpenAiUsage(5, 7, null, null, null), observer.Usage);
    }

    [Fact]
    public void A_lone_surrogate_in_a_property_name_makes_a_malformed_event_not_an_exception()
    {
        var (reader, observer) = Read("data: {\"\\ud800\":1,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lost\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}\n\n", [int.MaxValue]);

        Assert.Equal("kept", observer.Text);
        Assert.Equal(1, reader.MalformedEvents);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"usage\":{\"prompt_tokens\":\n\n", "a", 1)]
    [InlineData("data: not json\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n", "b", 1)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"}}]\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"}}]}\n\n", "c", 1)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"d\"}}]} {\"x\":1}\n\n", "", 1)]
    [InlineData("data: 42\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"e\"}}],\"usage\":[1,2]}\n\n", "e", 1)]
    public void A_malformed_event_is_counted_has_no_effect_and_the_rest_is_still_read(string transcript, string text, int malformed)
    {
        var (reader, observer) = Read(transcript, [7]);

        Assert.Equal(text, observer.Text);
        Assert.Null(observer.Usage);
        Assert.Equal(malformed, reader.MalformedEvents);
        Assert.Contains(observer.Events, e => e.Is(OpenAiEventFlags.Malformed));
    }

    [Fact]
    public void Arbitrary_bytes_in_arbitrary_reads_never_throw()
    {
        var pieces = Gen.OneOf(
            Gen.Byte.Array[0, 12],
            Gen.OneOf("data: ", "data:", "\n", "\r", "\r\n", "{", "}", "[", "]", "\"", "\\u", "\\ud800", "d800", ":", ",", "[DONE]", "\"choices\"", "\"delta\"", "\"content\"", "\"usage\"", "\"type\"", "\"response\"", "\"output\"", "\"text\"", "\"index\":0", "\"response.output_text.delta\"", "null", "1e999")
                .Select(Encoding.UTF8.GetBytes));

        Gen.Select(pieces.Array[0, 60], Gen.Int[1, 17].Array[1, 8]).Sample((parts, sizes) =>
        {
            var bytes = parts.SelectMany(p => p).ToArray();
            var (reader, observer) = Read(bytes, sizes);
            Assert.Equal(reader.DataEvents + (reader.SawDone ? 1 : 0), observer.Events.Count(e => !e.Is(OpenAiEventFlags.Done)) + (reader.SawDone ? 1 : 0));

            using var json = new OpenAiResponseReader(new RecordingObserver());
            json.ReadJson(bytes);
        });
    }

    [Fact]
    public void Only_choice_zero_is_read_even_when_index_follows_delta()
    {
        var (_, observer) = Read(
            "data: {\"choices\":[{\"delta\":{\"content\":\"B\"},\"index\":1},{\"delta\":{\"content\":\"A\"},\"index\":0}]}\n\n" +
            "data: {\"choices\":[{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n", [int.MaxValue]);

        Assert.Equal("A", observer.Text);
        Assert.Equal("stop", observer.FinishReason);
    }

    [Fact]
    public void Tool_call_fragments_are_told_as_they_come()
    {
        var (_, observer) = Read(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"a\\\":\"}}]}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"name\":\"g\",\"arguments\":\"1}\"}}}]}\n\n", [int.MaxValue]);

        Assert.Equal(
            [
                "tool 0 id=call_a type=function name=f args=",
                "tool 0 id= type= name= args={\"a\":",
                "tool 0 id= type= name=g args=1} legacy",
            ],
            observer.Calls);
    }

    [Fact]
    public void A_legacy_completions_stream_and_body_give_their_text_and_usage()
    {
        var (stream, streamed) = Read(
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"model\":\"gpt-3.5-turbo-instruct\",\"choices\":[{\"text\":\"This\",\"index\":0,\"finish_reason\":null}]}\n\n" +
            "data: {\"object\":\"text_completion\",\"choices\":[{\"text\":\" is\",\"index\":0,\"finish_reason\":\"length\"}]}\n\n" +
            "data: {\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n" +
            "data: [DONE]\n\n", [9]);
        var body = new RecordingObserver();
        using var json = new OpenAiResponseReader(body);

        var flags = json.ReadJson("{\"object\":\"text_completion\",\"model\":\"m\",\"choices\":[{\"text\":\"\\n\\nThis is\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":3,\"total_tokens\":7}}"u8);

        Assert.Equal(("This is", "length", new OpenAiUsage(3, 2, null, null, 5)), (streamed.Text, streamed.FinishReason, streamed.Usage));
        Assert.Equal(OpenAiEventFlags.UsageOnly, streamed.Events[2].Flags);
        Assert.True(stream.SawDone);
        Assert.Equal(OpenAiEventFlags.None, flags);
        Assert.Equal(("\n\nThis is", "length", "m", new OpenAiUsage(4, 3, null, null, 7)), (body.Text, body.FinishReason, body.Model, body.Usage));
    }

    [Fact]
    public void The_audio_tokens_of_both_details_are_read_from_a_streamed_usage_chunk_and_a_body()
    {
        // gpt-4o-audio-preview's usage: audio is a part of the prompt and completion counts, priced apart.
        const string usage = "{\"prompt_tokens\":2000,\"completion_tokens\":1500,\"total_tokens\":3500,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":1000},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":1200,\"accepted_prediction_tokens\":0}}";
        var (_, streamed) = Read(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"audio\":{\"transcript\":\"hi\"}},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":" + usage + "}\n\n"
            + "data: [DONE]\n\n", [11]);
        var body = new RecordingObserver();
        using var json = new OpenAiResponseReader(body);

        json.ReadJson(Encoding.UTF8.GetBytes("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"audio\":{\"id\":\"a\",\"data\":\"UklGRg==\",\"transcript\":\"hi\"}},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}"));

        var expected = new OpenAiUsage(2000, 1500, 0, 0, 3500, AudioInputTokens: 1000, AudioOutputTokens: 1200);
        Assert.Equal(expected, streamed.Usage);
        Assert.Equal(expected, body.Usage);
    }

    [Fact]
    public void A_responses_api_stream_gives_its_deltas_usage_and_end()
    {
        var (reader, observer) = Read(ResponsesStream, [13]);

        Assert.Equal("Hello", observer.Text);
        Assert.Equal("gpt-4.1", observer.Model);
        Assert.Equal(new OpenAiUsage(11, 3, 0, 0, 14), observer.Usage);
        Assert.Equal("completed", observer.FinishReason);
        Assert.Equal(1, observer.Ends);
        Assert.False(reader.SawDone);
        Assert.Equal(0, reader.MalformedEvents);
        Assert.Contains("output-text Hello", observer.Calls);
        Assert.Contains("tool 1 id=call_9 type= name=f args={\"a\":1} item", observer.Calls);
    }

    [Fact]
    public void A_responses_api_json_body_gives_its_output_and_usage()
    {
        var observer = new RecordingObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.ReadJson(Encoding.UTF8.GetBytes(
            "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"model\":\"gpt-4.1\",\"output\":[" +
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Bonjour\",\"annotations\":[]},{\"type\":\"refusal\",\"refusal\":\"non\"}]}]," +
            "\"usage\":{\"input_tokens\":3,\"input_tokens_details\":{\"cached_tokens\":1},\"output_tokens\":4,\"output_tokens_details\":{\"reasoning_tokens\":2},\"total_tokens\":7}}"));

        Assert.Equal(["model gpt-4.1", "output", "output-text Bonjour", "output-refusal non", "finish max_output_tokens", "usage " + new OpenAiUsage(3, 4, 1, 2, 7)], observer.Calls);
    }

    [Fact]
    public void A_chat_json_body_gives_its_message_usage_and_error_bodies_their_message()
    {
        var observer = new RecordingObserver();
        using var reader = new OpenAiResponseReader(observer);

        reader.ReadJson("{\"id\":\"x\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\",\"refusal\":null},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":4}}}"u8);
        var flags = reader.ReadJson("{\"error\":{\"message\":\"Bad key\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"u8);

        Assert.Equal(["model gpt-4o-mini", "text hi", "finish length", "usage " + new OpenAiUsage(5, 2, 4, null, null), "error Bad key"], observer.Calls);
        Assert.Equal(OpenAiEventFlags.Error, flags);
    }

    [Fact]
    public void Responses_api_errors_are_told()
    {
        var (_, observer) = Read(
            "data: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"model\":\"gpt-4.1\",\"error\":{\"code\":\"server_error\",\"message\":\"upstream fell over\"},\"output\":[]}}\n\n" +
            "data: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\",\"param\":null}\n\n", [int.MaxValue]);

        Assert.Contains("error upstream fell over", observer.Calls);
        Assert.Contains("error slow down", observer.Calls);
        Assert.Equal("failed", observer.FinishReason);
        Assert.Equal(0, observer.Ends);
    }

    [Fact]
    public void Each_event_lies_between_its_offsets_and_only_the_usage_chunk_is_flagged_usage_only()
    {
        var bytes = Encoding.UTF8.GetBytes(ChatTranscript);

        var (_, observer) = Read(bytes, [4]);

        var events = observer.Events.Select(e => (Encoding.UTF8.GetString(bytes.AsSpan((int)e.Start, (int)(e.End - e.Start))), e.Flags)).ToList();
        Assert.Equal(6, events.Count);
        Assert.StartsWith(": keep-alive\r\nevent: message\r\ndata: {\"id\":\"c1\"", events[0].Item1, StringComparison.Ordinal);
        // Reads of 4 bytes split its blank line's CRLF: the CR ended the event, and the LF lies between events.
        Assert.EndsWith("}\r\n\r", events[0].Item1, StringComparison.Ordinal);
        Assert.Equal(("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}\n\n", OpenAiEventFlags.UsageOnly), events[4]);
        Assert.Equal(("data: [DONE]\n\n", OpenAiEventFlags.Done), events[5]);
        Assert.All(events.Take(4), e => Assert.Equal(OpenAiEventFlags.None, e.Flags));
    }

    [Theory]
    [InlineData("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}", "UsageOnly")]
    // An error beside the usage must reach the client: not usage-only.
    [InlineData("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1},\"error\":{\"message\":\"filtered\"}}", "Error")]
    // A repeated "choices": the last one decides, as the client's parser reads it.
    [InlineData("{\"choices\":[],\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}", "None")]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}", "UsageOnly")]
    public void Only_an_event_of_usage_alone_is_usage_only(string data, string expected)
    {
        var (_, observer) = Read("data: " + data + "\n\n", [int.MaxValue]);

        Assert.Equal(Enum.Parse<OpenAiEventFlags>(expected), Assert.Single(observer.Events).Flags);
    }

    [Fact]
    public void A_stream_cut_mid_event_keeps_what_arrived_and_reads_a_last_whole_event()
    {
        var (cut, observer) = Read("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tia", [5]);
        var (whole, last) = Read("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}", [5]);

        Assert.Equal(("par", 1), (observer.Text, cut.MalformedEvents));
        Assert.Equal(("ab", 0), (last.Text, whole.MalformedEvents));
    }

    internal const string ResponsesStream =
        "event: response.created\n" +
        "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"gpt-4.1\",\"output\":[],\"usage\":null,\"error\":null}}\n\n" +
        "event: response.output_item.added\n" +
        "data: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n" +
        "event: response.output_text.delta\n" +
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\",\"logprobs\":[]}\n\n" +
        "data: {\"delta\":\"lo\",\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0}\n\n" +
        "data: {\"type\":\"response.output_text.done\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"text\":\"Hello\"}\n\n" +
        "data: {\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_9\",\"name\":\"f\",\"arguments\":\"\"}}\n\n" +
        "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\"{\\\"a\\\"\"}\n\n" +
        "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\":1}\"}\n\n" +
        "event: response.completed\n" +
        "data: {\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-4.1\",\"error\":null,\"incomplete_details\":null,\"output\":[" +
        "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello\",\"annotations\":[]}]}," +
        "{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_9\",\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}]," +
        "\"usage\":{\"input_tokens\":11,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":3,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":14}}}\n\n";

    private static (OpenAiResponseReader Reader, RecordingObserver Observer) Read(string transcript, int[] sizes) =>
        Read(Encoding.UTF8.GetBytes(transcript), sizes);

    private static (OpenAiResponseReader Reader, RecordingObserver Observer) Read(byte[] bytes, int[] sizes)
    {
        var observer = new RecordingObserver();
        var reader = new OpenAiResponseReader(observer);
        var offset = 0;
        var i = 0;
        while (offset < bytes.Length)
        {
            var size = Math.Min(sizes[i++ % sizes.Length], bytes.Length - offset);
            reader.AppendSse(bytes.AsSpan(offset, size));
            offset += size;
        }

        reader.CompleteSse();
        return (reader, observer);
    }
}
