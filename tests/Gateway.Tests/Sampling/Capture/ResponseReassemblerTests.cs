using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using LlmGateway.Sampling.Capture;

namespace LlmGateway.Tests.Sampling.Capture;

public sealed class ResponseReassemblerTests
{
    private const string Sse = "text/event-stream";
    private const string Json = "application/json";

    private static readonly JsonSerializerOptions Escaped = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void A_chat_stream_gives_its_text_finish_reason_and_model()
    {
        var result = Reassemble(Sse,
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n" +
            "data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n" +
            "data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\", world\"},\"finish_reason\":null}]}\n\n" +
            "data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal("Hello, world", result.Text);
        Assert.Equal("stop", result.FinishReason);
        Assert.Equal("gpt-4o-2024-08-06", result.Model);
        Assert.Empty(result.ToolCalls);
        Assert.Null(result.Refusal);
        Assert.Null(result.Error);
        Assert.True(result.Streamed);
        Assert.True(result.Complete);
        Assert.False(result.Truncated);
    }

    [Fact]
    public void Tool_calls_spread_across_chunks_are_merged_by_index()
    {
        var result = Reassemble(Sse,
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}\n\n" +
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}\n\n" +
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"tz\\\"\"}}]}}]}\n\n" +
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"\\\"Paris\\\"}\"},\"index\":0}]}}]}\n\n" +
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\":\\\"CET\\\"}\"}}]}}]}\n\n" +
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal(
            [
                new ReassembledToolCall(0, "call_a", "function", "get_weather", "{\"city\":\"Paris\"}"),
                new ReassembledToolCall(1, "call_b", "function", "get_time", "{\"tz\":\"CET\"}"),
            ],
            result.ToolCalls);
        Assert.Equal("tool_calls", result.FinishReason);
        Assert.Null(result.Text);
        Assert.True(result.Complete);
    }

    [Fact]
    public void A_legacy_function_call_is_a_tool_call()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\"}}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"arguments\":\"1}\"}},\"finish_reason\":\"function_call\"}]}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal([new ReassembledToolCall(0, null, "function", "lookup", "{\"q\":1}")], result.ToolCalls);
        Assert.Equal("function_call", result.FinishReason);
    }

    [Fact]
    public void Crlf_endings_multi_line_data_comments_and_a_usage_only_chunk_are_handled()
    {
        var result = Reassemble(Sse,
            ": keep-alive\r\n" +
            "event: message\r\n" +
            "id: 1\r\n" +
            "retry: 1000\r\n" +
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one \"}}]}\r\n\r\n" +
            "data:{\"choices\":[{\"index\":0,\r\n" +
            "data: \"delta\":{\"content\":\"two\"}}]}\r\n\r\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\r\n\r\n" +
            ": gateway-usage {\"prompt_tokens\":3,\"completion_tokens\":2,\"choices\":[{\"delta\":{\"content\":\"no\"}}]}\r\n\r\n" +
            "data: [DONE]\r\n\r\n");

        Assert.Equal("one two", result.Text);
        Assert.Equal("stop", result.FinishReason);
        Assert.Equal("m", result.Model);
        Assert.True(result.Complete);
    }

    [Theory]
    [InlineData("\n\n")]
    // Its line whole, its blank line never came: read at the end, as the gateway reads it.
    [InlineData("\n")]
    public void A_chat_stream_that_lost_only_its_done_after_the_usage_chunk_is_complete(string usageEnding)
    {
        // The include_usage chunk comes after every choice's finish, and only [DONE] after it: the gateway served this
        // answer as whole, so its sample is whole too (not an error the online evaluator skips).
        var result = Reassemble(Sse,
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"whole\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}" + usageEnding);

        Assert.Equal(("whole", "stop"), (result.Text, result.FinishReason));
        Assert.True(result.Complete);
    }

    [Fact]
    public void A_usage_only_chunk_with_an_error_does_not_end_a_stream()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"}}]}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1},\"error\":{\"message\":\"overloaded\"}}\n\n");

        Assert.Equal("overloaded", result.Error);
        Assert.False(result.Complete);
    }

    [Fact]
    public void Only_choice_zero_is_reassembled_even_when_index_follows_delta()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"delta\":{\"content\":\"B\"},\"index\":1},{\"delta\":{\"content\":\"A\"},\"index\":0}]}\n\n" +
            "data: {\"choices\":[{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal("A", result.Text);
        Assert.Equal("stop", result.FinishReason);
    }

    [Fact]
    public void A_cut_stream_keeps_the_text_so_far_and_is_not_complete()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tial\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lost\"},\"finish_re", truncated: true);

        Assert.Equal("partial", result.Text);
        Assert.Null(result.FinishReason);
        Assert.False(result.Complete);
        Assert.True(result.Truncated);
        Assert.Null(result.Error);
    }

    [Fact]
    public void A_last_event_without_its_blank_line_is_used_when_its_json_is_whole()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}");

        Assert.Equal("ab", result.Text);
        Assert.False(result.Complete);
    }

    [Fact]
    public void Malformed_events_are_skipped()
    {
        var result = Reassemble(Sse,
            "data: not json\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal("b", result.Text);
        Assert.True(result.Complete);
    }

    [Fact]
    public void An_error_event_mid_stream_gives_its_message()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"}}]}\n\n" +
            "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n");

        Assert.Equal("boom", result.Error);
        Assert.Equal("half", result.Text);
        Assert.False(result.Complete);
    }

    [Fact]
    public void Escaped_and_raw_unicode_both_come_out_right()
    {
        var body = Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\\u00e9 \\ud83c\\udf0d \"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"café 世界 🌍 \\\"q\\\" \\\\ \\n\"}}]}\n\n" +
            "data: [DONE]\n\n");

        var result = ResponseReassembler.Reassemble(Sse, body, truncated: false, LlmGateway.OpenAi.SseFramer.DefaultMaxLineBytes);

        Assert.Equal("café 🌍 café 世界 🌍 \"q\" \\ \n", result.Text);
    }

    [Fact]
    public void A_lone_surrogate_escape_becomes_a_replacement_character()
    {
        var result = Reassemble(Sse,
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ud83c\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n");

        Assert.Equal("a\uFFFDb", result.Text);
    }

    [Fact]
    public void A_json_chat_completion_gives_its_message()
    {
        var result = Reassemble(Json,
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi th\\u00e9re\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}");

        Assert.Equal("Hi thére", result.Text);
        Assert.Equal("stop", result.FinishReason);
        Assert.Equal("gpt-4o-mini", result.Model);
        Assert.False(result.Streamed);
        Assert.True(result.Complete);
        Assert.Null(result.Error);
    }

    [Fact]
    public void A_json_chat_completion_with_tool_calls_gives_them_whole()
    {
        var result = Reassemble("application/json; charset=utf-8",
            "{\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" +
            "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}}," +
            "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}");

        Assert.Equal(
            [
                new ReassembledToolCall(0, "call_1", "function", "a", "{\"x\":1}"),
                new ReassembledToolCall(1, "call_2", "function", "b", "{}"),
            ],
            result.ToolCalls);
        Assert.Null(result.Text);
        Assert.Equal("tool_calls", result.FinishReason);
    }

    [Fact]
    public void Json_content_parts_and_a_refusal_are_read()
    {
        var result = Reassemble(Json,
            "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"one \"},{\"type\":\"text\",\"text\":\"two\"}]},\"finish_reason\":\"stop\"}]}");
        var refused = Reassemble(Json,
            "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}");

        Assert.Equal("one two", result.Text);
        Assert.Null(refused.Text);
        Assert.Equal("I can't help with that.", refused.Refusal);
    }

    [Fact]
    public void Completions_text_is_read_streamed_or_not()
    {
        var json = Reassemble(Json,
            "{\"object\":\"text_completion\",\"model\":\"gpt-3.5-turbo-instruct\",\"choices\":[{\"text\":\"\\n\\nThis is\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}]}");
        var stream = Reassemble(Sse,
            "data: {\"object\":\"text_completion\",\"choices\":[{\"text\":\"This\",\"index\":0,\"finish_reason\":null}]}\n\n" +
            "data: {\"object\":\"text_completion\",\"choices\":[{\"text\":\" is\",\"index\":0,\"finish_reason\":\"length\"}]}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal("\n\nThis is", json.Text);
        Assert.Equal("length", json.FinishReason);
        Assert.Equal("gpt-3.5-turbo-instruct", json.Model);
        Assert.Equal("This is", stream.Text);
        Assert.Equal("length", stream.FinishReason);
        Assert.True(stream.Complete);
    }

    [Fact]
    public void A_responses_api_stream_gives_its_text_tool_call_and_completion()
    {
        var result = Reassemble(Sse,
            "event: response.created\n" +
            "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"gpt-4.1\",\"output\":[],\"error\":null}}\n\n" +
            "event: response.output_item.added\n" +
            "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n" +
            "event: response.output_text.delta\n" +
            "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\"}\n\n" +
            "data: {\"delta\":\"lo\",\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0}\n\n" +
            "data: {\"type\":\"response.output_text.done\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"text\":\"Hello\"}\n\n" +
            "data: {\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_9\",\"name\":\"f\",\"arguments\":\"\"}}\n\n" +
            "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\"{\\\"a\\\"\"}\n\n" +
            "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\":1}\"}\n\n" +
            "event: response.completed\n" +
            "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-4.1\",\"error\":null,\"incomplete_details\":null,\"output\":[" +
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello\",\"annotations\":[]}]}," +
            "{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_9\",\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}]}}\n\n");

        Assert.Equal("Hello", result.Text);
        Assert.Equal([new ReassembledToolCall(1, "call_9", "function", "f", "{\"a\":1}")], result.ToolCalls);
        Assert.Equal("gpt-4.1", result.Model);
        Assert.Equal("completed", result.FinishReason);
        Assert.True(result.Streamed);
        Assert.True(result.Complete);
    }

    [Fact]
    public void A_cut_responses_api_stream_is_not_complete()
    {
        var result = Reassemble(Sse,
            "data: {\"type\":\"response.created\",\"response\":{\"status\":\"in_progress\",\"model\":\"gpt-4.1\",\"output\":[]}}\n\n" +
            "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,\"delta\":\"Hel\"}\n\n");

        Assert.Equal("Hel", result.Text);
        Assert.Null(result.FinishReason);
        Assert.False(result.Complete);
    }

    [Fact]
    public void A_failed_responses_api_stream_gives_its_error()
    {
        var failed = Reassemble(Sse,
            "data: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"model\":\"gpt-4.1\",\"error\":{\"code\":\"server_error\",\"message\":\"upstream fell over\"},\"output\":[]}}\n\n");
        var errorEvent = Reassemble(Sse,
            "data: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\",\"param\":null}\n\n");

        Assert.Equal("upstream fell over", failed.Error);
        Assert.Equal("failed", failed.FinishReason);
        Assert.Equal("slow down", errorEvent.Error);
    }

    [Fact]
    public void A_responses_api_json_body_gives_its_output_text()
    {
        var result = Reassemble(Json,
            "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"model\":\"gpt-4.1\",\"error\":null,\"output\":[" +
            "{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[]}," +
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Bonjour \",\"annotations\":[]},{\"type\":\"output_text\",\"text\":\"\\u00e0 tous\",\"annotations\":[]}]}]," +
            "\"text\":{\"format\":{\"type\":\"text\"}},\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}");

        Assert.Equal("Bonjour à tous", result.Text);
        Assert.Equal("max_output_tokens", result.FinishReason);
        Assert.Equal("gpt-4.1", result.Model);
        Assert.Empty(result.ToolCalls);
        Assert.True(result.Complete);
    }

    [Fact]
    public void An_embeddings_body_has_no_text()
    {
        var result = Reassemble(Json,
            "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2,3e-5]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}");

        Assert.Null(result.Text);
        Assert.Empty(result.ToolCalls);
        Assert.Equal("text-embedding-3-small", result.Model);
        Assert.True(result.Complete);
        Assert.Null(result.Error);
    }

    [Fact]
    public void A_json_error_body_gives_its_message()
    {
        var result = Reassemble(Json,
            "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");

        Assert.Equal("Incorrect API key provided.", result.Error);
        Assert.Null(result.Text);
    }

    [Fact]
    public void A_json_error_sent_to_a_streaming_request_is_read_as_json()
    {
        var result = Reassemble(Sse, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");

        Assert.Equal("overloaded", result.Error);
        Assert.False(result.Streamed);
    }

    [Theory]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]")]
    [InlineData("{\"choices\": nope}")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    public void A_malformed_json_body_is_reported(string body)
    {
        var result = Reassemble(Json, body);

        Assert.NotNull(result.Error);
        Assert.StartsWith("unparseable", result.Error, StringComparison.Ordinal);
        Assert.Null(result.Text);
        Assert.False(result.Complete);
    }

    [Fact]
    public void A_json_body_cut_at_the_cap_is_not_called_malformed()
    {
        var result = Reassemble(Json, "{\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"a long ans", truncated: true);

        Assert.Null(result.Error);
        Assert.False(result.Complete);
        Assert.True(result.Truncated);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("text/plain", "hello")]
    [InlineData("application/octet-stream", "\u0001\u0002")]
    [InlineData(Sse, "")]
    [InlineData(Json, "")]
    public void Other_or_empty_bodies_give_nothing_and_do_not_throw(string? contentType, string body)
    {
        var result = Reassemble(contentType, body);

        Assert.Null(result.Text);
        Assert.Null(result.Model);
        Assert.Empty(result.ToolCalls);
        Assert.False(result.Complete);
    }

    [Fact]
    public void Any_content_split_into_any_chunks_reassembles_exactly()
    {
        var piece = Gen.OneOf(
            Gen.Char['a', 'z'].Select(c => c.ToString()),
            Gen.Char['\u00a0', '\ud7ff'].Select(c => c.ToString()),
            Gen.OneOf("\"", "\\", "\n", "\r\n", "\t", "\u0000", "é", "🌍", "👍🏽", "\u2028", "</script>", "data: [DONE]\n\n", " ", "{\"x\":1}"));
        var chunk = piece.Array[0, 6].Select(string.Concat);

        Gen.Select(chunk.Array[0, 12], Gen.Bool, Gen.Bool, Gen.Bool).Sample((chunks, raw, crlf, space) =>
        {
            var body = ChatStream(chunks, raw ? Raw : Escaped, crlf ? "\r\n" : "\n", space ? "data: " : "data:");

            var result = ResponseReassembler.Reassemble(Sse, body, truncated: false, LlmGateway.OpenAi.SseFramer.DefaultMaxLineBytes);

            Assert.Equal(string.Concat(chunks), result.Text);
            Assert.Equal("stop", result.FinishReason);
            Assert.Equal("gpt-test", result.Model);
            Assert.True(result.Complete);
        });
    }

    private static byte[] ChatStream(string[] chunks, JsonSerializerOptions options, string newline, string dataField)
    {
        var builder = new StringBuilder();
        void Event(object chunk) =>
            builder.Append(dataField).Append(JsonSerializer.Serialize(chunk, options)).Append(newline).Append(newline);

        Event(new { id = "c", @object = "chat.completion.chunk", model = "gpt-test", choices = new[] { new { index = 0, delta = new { role = "assistant", content = "" }, finish_reason = (string?)null } } });
        foreach (var content in chunks)
        {
            Event(new { id = "c", @object = "chat.completion.chunk", model = "gpt-test", choices = new[] { new { index = 0, delta = new { content }, finish_reason = (string?)null } } });
        }

        Event(new { id = "c", @object = "chat.completion.chunk", model = "gpt-test", choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } } });
        builder.Append(": gateway-usage {\"prompt_tokens\":1}").Append(newline).Append(newline);
        builder.Append(dataField).Append("[DONE]").Append(newline).Append(newline);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    [Fact]
    public void Calls_the_provider_runs_are_not_reassembled_as_function_calls()
    {
        // An MCP call and the code interpreter's code are billed as output, but they are no call the client answers.
        var result = Reassemble(Json, """
            {"object":"response","model":"gpt-test","output":[
              {"type":"mcp_call","name":"lookup","arguments":"{\"q\":1}"},
              {"type":"code_interpreter_call","code":"print(1)"},
              {"type":"function_call","call_id":"call_1","name":"save","arguments":"{}"},
              {"type":"message","content":[{"type":"output_text","text":"Done."}]}]}
            """);

        Assert.Equal("Done.", result.Text);
        Assert.Equal("save", Assert.Single(result.ToolCalls).Name);
    }

    [Fact]
    public void A_responses_custom_tool_call_is_a_tool_call_in_a_body()
    {
        // A custom tool is run by the client, as chat's {"type":"custom"} calls are: the answer is the call, not nothing.
        var result = Reassemble(Json, """
            {"object":"response","model":"gpt-test","status":"completed","output":[
              {"type":"custom_tool_call","id":"ctc_1","call_id":"call_1","name":"sql","input":"select * from orders","status":"completed"}]}
            """);

        Assert.Null(result.Text);
        Assert.Equal([new ReassembledToolCall(0, "call_1", "custom", "sql", "select * from orders")], result.ToolCalls);
    }

    [Fact]
    public void A_streamed_responses_custom_tool_call_is_one_tool_call_with_its_whole_input()
    {
        var result = Reassemble(Sse,
            "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"custom_tool_call\",\"id\":\"ctc_1\",\"call_id\":\"call_1\",\"name\":\"sql\",\"input\":\"\"}}\n\n" +
            "data: {\"type\":\"response.custom_tool_call_input.delta\",\"output_index\":0,\"item_id\":\"ctc_1\",\"delta\":\"select * \"}\n\n" +
            "data: {\"type\":\"response.custom_tool_call_input.delta\",\"output_index\":0,\"item_id\":\"ctc_1\",\"delta\":\"from orders\"}\n\n" +
            "data: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"custom_tool_call\",\"id\":\"ctc_1\",\"call_id\":\"call_1\",\"name\":\"sql\",\"input\":\"select * from orders\"}}\n\n" +
            "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"model\":\"gpt-test\",\"output\":[{\"type\":\"custom_tool_call\",\"id\":\"ctc_1\",\"call_id\":\"call_1\",\"name\":\"sql\",\"input\":\"select * from orders\"}]}}\n\n");

        Assert.Null(result.Text);
        Assert.Equal([new ReassembledToolCall(0, "call_1", "custom", "sql", "select * from orders")], result.ToolCalls);
        Assert.True(result.Complete);
    }

    private static ReassembledResponse Reassemble(string? contentType, string body, bool truncated = false) =>
        ResponseReassembler.Reassemble(contentType, Encoding.UTF8.GetBytes(body), truncated, LlmGateway.OpenAi.SseFramer.DefaultMaxLineBytes);
}
