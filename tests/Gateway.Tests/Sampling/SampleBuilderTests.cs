using System.Text;
using System.Text.Json.Nodes;
using LlmGateway.Accounting;
using LlmGateway.Behaviour;
using LlmGateway.Sampling;
using LlmGateway.Sampling.Redaction;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Sampling;

/// <summary>From raw capture to stored record: parsing, reassembly, redaction and the size cap.</summary>
public sealed class SampleBuilderTests(TestEnvironment env)
{
    [Fact]
    public void A_json_response_with_tool_calls_becomes_a_record_with_input_request_and_redactions()
    {
        var client = """{"model":"prompt:bot","messages":[{"role":"user","content":"call +44 20 7946 0958"}],"prompt_variables":{"company":"Acme"}}""";
        var upstream = """{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Acme support"},{"role":"user","content":"call +44 20 7946 0958"}],"tools":[{"type":"function","function":{"name":"dial"}}]}""";
        var response = """{"id":"c1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"dial","arguments":"{\"number\":\"+44 20 7946 0958\"}"}}]},"finish_reason":"tool_calls"}]}""";
        var usage = new AccountingRecord("gpt-4o-mini", 20, 0, 5, 0, AccountingRecord.Reported, 0.000006m, "tool_calls");

        var record = Builder().Build(Capture(client, upstream, response, "application/json") with { Usage = usage });

        Assert.Equal("Acme", record.Input.Variables!["company"]!.GetValue<string>());
        Assert.Equal("call [REDACTED:phone]", record.Input.Messages![0]!["content"]!.GetValue<string>());
        Assert.Equal("Acme support", record.Request!["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("dial", record.Request!["tools"]![0]!["function"]!["name"]!.GetValue<string>());
        var call = Assert.Single(record.Response.ToolCalls);
        Assert.Equal(("t1", "function", "dial"), (call.Id, call.Type, call.Name));
        Assert.Equal("""{"number":"[REDACTED:phone]"}""", call.Arguments);
        Assert.Equal("tool_calls", record.Response.FinishReason);
        Assert.Equal("gpt-4o-mini-2024-07-18", record.Response.Model);
        Assert.False(record.Response.Streamed);
        Assert.Equal(3, record.Redactions["phone"]);
        Assert.Same(usage, record.Usage);
        Assert.False(record.Truncated);
    }

    [Fact]
    public void Credentials_in_a_responses_request_s_mcp_tools_and_tool_results_are_not_stored()
    {
        var client = """
            {"model":"gpt-4o","input":[{"role":"user","content":"list my files"},{"type":"function_call_output","call_id":"c1","output":"{\"access_token\":\"ya29.a0AfB_byC0123\",\"refresh_token\":\"1//0gLx9Qw\",\"token_type\":\"Bearer\"}"}],
             "tools":[{"type":"mcp","server_label":"dropbox","connector_id":"connector_dropbox","authorization":"sl.u.AbCdEf0123456789"},
                      {"type":"mcp","server_label":"crm","server_url":"https://mcp.example.com/s/8f2c41d07be9/mcp","headers":{"X-Api-Key":"3f9a1c55e0"}}]}
            """;

        var record = Builder().Build(Capture(client, null, """{"object":"response","status":"completed","output":[]}""", "application/json") with { Endpoint = "/v1/responses" });

        var stored = Encoding.UTF8.GetString(SampleSizeCap.Serialize(record));
        foreach (var secret in new[] { "ya29.a0AfB", "1//0gLx9Qw", "sl.u.AbCdEf", "8f2c41d07be9", "3f9a1c55e0" })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }

        // The tool result is in the input and the request; the three tool credentials in the request only.
        Assert.Equal(7, record.Redactions["credential_field"]);
        var tools = record.Request!["tools"]!;
        Assert.Equal(("mcp", "dropbox", "connector_dropbox"), (tools[0]!["type"]!.GetValue<string>(), tools[0]!["server_label"]!.GetValue<string>(), tools[0]!["connector_id"]!.GetValue<string>()));
        Assert.Equal("https://mcp.example.com/[REDACTED:credential_field]", tools[1]!["server_url"]!.GetValue<string>());
        Assert.Equal("gpt-4o", record.Request["model"]!.GetValue<string>());
        Assert.Contains("\"token_type\":\"Bearer\"", record.Input.Messages![1]!["output"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","input":"I am jane@example.com"}""")]
    [InlineData("""{"model":"gpt-4o-mini","prompt":"I am jane@example.com"}""")]
    public void A_plain_string_input_is_redacted_and_kept_not_dropped(string client)
    {
        // The Responses API's commonest form, and a legacy completion's prompt: a string, not a list of messages.
        var record = Builder().Build(Capture(client, null, """{"object":"response","output":[]}""", "application/json"));

        Assert.Equal("I am [REDACTED:email]", record.Input.Messages!.GetValue<string>());
        Assert.DoesNotContain("jane@", record.Request!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_cut_at_the_capture_cap_loses_its_last_characters_not_a_secret_split_by_the_cut()
    {
        // 39 of an AWS secret's 40 characters: too short for its pattern, and the start of a real key all the same.
        const string Partial = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE";
        var response = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Here it is: " + Partial + "\"}}]}\n\n";

        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "text/event-stream") with { ResponseTruncated = true });

        Assert.DoesNotContain("wJalrXUtnFEMI", record.Response.Text, StringComparison.Ordinal);
        Assert.EndsWith("…", record.Response.Text, StringComparison.Ordinal);
        Assert.True(record.Truncated);
    }

    // 15 of a card's 16 digits fail the Luhn check, 39 of an AWS secret's 40 characters are too few for its pattern: a
    // secret the answer's end cut off is the start of a real one all the same.
    private const string Lead = "Here are the details you asked for, as they stand on the account: ";
    private const string PartialCard = "4111 1111 1111 111";
    private const string PartialAwsSecret = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE";

    public static TheoryData<string, string, string?, string> AnswersThatEndEarly => new()
    {
        // A stream the provider cut, the gateway timed out or the client left: no [DONE].
        { "stream cut", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + Lead + PartialCard + "\"}}]}\n\n", "text/event-stream", PartialCard },
        // Whole answers the model stopped at its token limit, or the provider's content filter stopped, wherever they were.
        { "length, streamed", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + Lead + PartialAwsSecret + "\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n", "text/event-stream", "wJalrXUtnFEMI" },
        { "length, json", "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + Lead + PartialCard + "\"},\"finish_reason\":\"length\"}]}", "application/json", PartialCard },
        { "max_output_tokens", "{\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"" + Lead + PartialCard + "\"}]}]}", "application/json", PartialCard },
        { "content_filter, responses", "{\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"content_filter\"},\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"" + Lead + PartialCard + "\"}]}]}", "application/json", PartialCard },
        { "content_filter, streamed", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + Lead + PartialCard + "\"},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n", "text/event-stream", PartialCard },
    };

    [Theory]
    [MemberData(nameof(AnswersThatEndEarly))]
    public void An_answer_that_ends_early_loses_its_last_characters_not_a_secret_its_end_cut(string why, string response, string? contentType, string secret)
    {
        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, contentType));

        Assert.DoesNotContain(secret, record.Response.Text, StringComparison.Ordinal);
        Assert.StartsWith("Here are the", record.Response.Text, StringComparison.Ordinal);
        Assert.True(record.Response.Text!.EndsWith('…'), why);
        // Not cut by a cap: an answer that stopped at its token limit is still scored on what is stored.
        Assert.False(record.Response.Cut, why);
    }

    [Fact]
    public void A_tool_call_a_stream_cut_off_loses_the_end_of_its_arguments()
    {
        var response = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"pay\",\"arguments\":\"{\\\"note\\\":\\\"" + Lead + "\\\",\\\"card\\\":\\\"" + PartialCard + "\"}}]}}]}\n\n";

        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "text/event-stream"));

        var call = Assert.Single(record.Response.ToolCalls);
        Assert.StartsWith("{\"note\":\"Here are", call.Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain(PartialCard, call.Arguments, StringComparison.Ordinal);
        Assert.False(record.Response.Complete);
    }

    [Theory]
    [InlineData("Yes")]
    [InlineData("The answer depends on the internationalization")]
    [InlineData("Call us on the 3rd of May at 10")]
    public void An_answer_stopped_at_its_token_limit_keeps_an_end_that_cannot_begin_a_secret(string text)
    {
        // A classifier asked for one token answers "Yes" with finish_reason length: stored as "…", every assertion on it failed.
        var response = "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"length\"}]}";

        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "application/json"));

        Assert.Equal(text, record.Response.Text);
    }

    [Theory]
    [InlineData("token sk-proj-4f9a2c81b7", "token …")]
    [InlineData("card 4111-1111-1111", "card…")]
    [InlineData("short 12345", "short 12345")]
    [InlineData("write to jane.doe@example.c", "write to …")]
    [InlineData("a long word like incomprehensibilities", "a long word like incomprehensibilities")]
    public void Only_a_trailing_run_that_could_begin_a_secret_goes_from_an_answer_that_stopped_early(string text, string stored) =>
        Assert.Equal(stored, SampleBuilder.CutTail(text, cut: false, stoppedEarly: true));

    [Fact]
    public void A_whole_answer_that_stopped_on_its_own_keeps_its_end()
    {
        var response = """{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"the end is here"},"finish_reason":"stop"}]}""";

        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "application/json"));

        Assert.Equal("the end is here", record.Response.Text);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void A_long_answer_the_capture_cap_cut_is_complete_when_the_client_got_it_all_and_marked_cut(bool answerWhole, bool complete)
    {
        // The capture stopped before the stream's end ([DONE] and the finish reason are past the cap).
        var response = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"chapter one\"}}]}\n\n";

        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "text/event-stream") with { ResponseTruncated = true, AnswerWhole = answerWhole });

        // Whole for the client: not a cut stream, which would read as an error. Cut in the record: not scored on its text.
        Assert.Equal(complete, record.Response.Complete);
        Assert.True(record.Response.Cut);
        Assert.Equal(complete, !SampleScorer.Failed(record));
    }

    [Theory]
    [InlineData(true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"chapter one\"}}]}\n\n", true)]
    [InlineData(false, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"chapter one\"}}]}\n\n", false)]
    [InlineData(true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", false)]
    [InlineData(true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"all\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n", false)]
    [InlineData(true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"chapter one\"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n", false)]
    public void A_stream_the_client_left_mid_answer_is_marked_stopped_by_the_user_and_one_it_left_before_any_of_it_is_not(bool clientGone, string response, bool stopped)
    {
        // Left with some of the answer on its way: the user's stop. Left before any of it (a client's timeout while the
        // version was slow), or after its end: not a stop the version is excused for.
        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "text/event-stream") with { ClientLeftMidAnswer = clientGone });

        Assert.Equal(stopped, record.Response.ClientStopped);
    }

    [Fact]
    public void A_stream_capture_cut_before_any_of_the_answer_is_not_complete()
    {
        // Only the role chunk before the cap: no text, no tool call, no end. Nothing in the record says the answer is whole.
        var response = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";

        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "text/event-stream") with { ResponseTruncated = true, AnswerWhole = true });

        Assert.False(record.Response.Complete);
        Assert.True(SampleScorer.Failed(record));
    }

    [Fact]
    public void A_line_the_hot_path_read_whole_is_reassembled_whole()
    {
        // 5 MB in one line: past the reader's 4 MB default, within the cap the live path reads with (16 MB by default).
        var reply = new string('a', 5 * 1024 * 1024);
        var response = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + reply + "\"}}]}\n\ndata: [DONE]\n\n";

        var record = Builder(maxSampleBytes: 16 * 1024 * 1024).Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, response, "text/event-stream"));

        Assert.True(record.Response.Complete);
        Assert.Equal(reply.Length, record.Response.Text?.Length);
    }

    [Fact]
    public void An_unchanged_body_is_stored_once_as_the_request_and_once_as_input()
    {
        var client = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

        var record = Builder().Build(Capture(client, null, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"yo\"}}]}\n\ndata: [DONE]\n\n", "text/event-stream"));

        Assert.Equal("hi", record.Request!["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("hi", record.Input.Messages![0]!["content"]!.GetValue<string>());
        Assert.Null(record.Input.Variables);
        Assert.Equal("yo", record.Response.Text);
        Assert.True(record.Response.Streamed);
        Assert.True(record.Response.Complete);
    }

    [Fact]
    public void A_failed_call_keeps_the_failure_note_when_no_body_came_back()
    {
        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[]}""", null, "", null) with { Status = 502, FailureNote = "The gateway could not complete the upstream call (Request)." });

        Assert.Equal(502, record.Response.Status);
        Assert.Equal("The gateway could not complete the upstream call (Request).", record.Response.Error);
        Assert.Null(record.Response.Text);
    }

    [Fact]
    public void A_large_sample_is_cut_under_its_cap_with_a_marker_and_flagged()
    {
        var reply = new string('a', 200_000);
        var response = $$"""{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{{reply}}"},"finish_reason":"length"}]}""";
        var client = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{new string('q', 100_000)}}"}]}""";

        var built = Builder(maxSampleBytes: 64 * 1024).BuildSerialized(Capture(client, null, response, "application/json"));
        var record = built.Record;

        Assert.True(record.Truncated);
        Assert.True(SampleSizeCap.Size(record) <= 64 * 1024, $"{SampleSizeCap.Size(record)} bytes");
        // What is stored is the JSON the cap measured: the cut record's, not the whole one's, and not serialized again.
        Assert.Equal(SampleSizeCap.Serialize(record), built.Json);
        Assert.StartsWith("aaaa", record.Response.Text, StringComparison.Ordinal);
        Assert.Matches(@"…\[truncated \d+ chars\]$", record.Response.Text);
        Assert.True(record.Response.Cut);
        Assert.Matches(@"…\[truncated \d+ chars\]$", record.Input.Messages![0]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("refusal")]
    [InlineData("error")]
    public void A_long_refusal_or_provider_error_is_cut_and_the_sample_keeps_its_input(string which)
    {
        var record = Builder().Build(Capture("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"keep me"}]}""", null, "", null));
        var longText = new string('r', 300_000);
        record = record with { Response = which == "refusal" ? record.Response with { Refusal = longText } : record.Response with { Error = longText } };

        var fitted = SampleSizeCap.Fit(record, 64 * 1024).Record;

        Assert.True(SampleSizeCap.Size(fitted) <= 64 * 1024, $"{SampleSizeCap.Size(fitted)} bytes");
        Assert.Equal("keep me", fitted.Input.Messages![0]!["content"]!.GetValue<string>());
        Assert.Matches(@"…\[truncated \d+ chars\]$", which == "refusal" ? fitted.Response.Refusal : fitted.Response.Error);
    }

    [Fact]
    public void A_sample_of_many_small_messages_that_cannot_be_cut_enough_keeps_its_response()
    {
        var messages = string.Join(",", Enumerable.Range(0, 5000).Select(i => $$"""{"role":"user","content":"message number {{i}}"}"""));
        var client = $$"""{"model":"gpt-4o-mini","messages":[{{messages}}]}""";
        var response = """{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"fine"},"finish_reason":"stop"}]}""";

        var record = Builder(maxSampleBytes: 16 * 1024).Build(Capture(client, null, response, "application/json"));

        Assert.True(record.Truncated);
        Assert.True(SampleSizeCap.Size(record) <= 16 * 1024);
        Assert.Equal("fine", record.Response.Text);
        Assert.False(record.Response.Cut);
    }

    [Fact]
    public void A_small_record_is_returned_as_is()
    {
        var record = Builder().Build(Capture("""{"model":"m","messages":[]}""", null, "", null));

        Assert.Same(record, SampleSizeCap.Apply(record, 64 * 1024));
    }

    [Fact]
    public void A_prompts_own_patterns_apply_to_its_samples_only()
    {
        var options = new SamplingOptions { PromptRedactionPatterns = { ["orders"] = new() { ["order_id"] = @"ORD-\d{6}" } } };
        var builder = Builder(options: options);
        var client = """{"model":"m","messages":[{"role":"user","content":"where is ORD-123456"}]}""";

        var forOrders = builder.Build(Capture(client, null, "", null) with { Prompt = "orders" });
        var forOthers = builder.Build(Capture(client, null, "", null) with { Prompt = "other" });

        Assert.Equal("where is [REDACTED:order_id]", forOrders.Input.Messages![0]!["content"]!.GetValue<string>());
        Assert.Equal("where is ORD-123456", forOthers.Input.Messages![0]!["content"]!.GetValue<string>());
    }

    private SampleBuilder Builder(int maxSampleBytes = 64 * 1024, SamplingOptions? options = null)
    {
        options ??= new SamplingOptions();
        options.MaxSampleBytes = maxSampleBytes;
        var wrapped = Options.Create(options);
        return new SampleBuilder(new SampleRedactors(new MarkerRedactorProvider(), wrapped), wrapped, Options.Create(new LlmGateway.Proxy.ProxyOptions()), env.Gateway.GetRequiredService<GatewayMetrics>());
    }

    [Fact]
    public void A_records_assignment_unit_is_a_salted_hash_of_its_stickiness_key_never_the_key()
    {
        var client = """{"model":"prompt:bot","messages":[{"role":"user","content":"hi"}]}""";
        var response = """{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}""";
        var capture = Capture(client, null, response, "application/json") with { Stickiness = "alice@example.com", StickinessSalt = "a1b2c3d4" };

        var record = Builder().Build(capture);
        var other = Builder().Build(capture with { Id = "other" });
        var resalted = Builder().Build(capture with { StickinessSalt = "ffffffff" });
        var unsticky = Builder().Build(capture with { Stickiness = null, StickinessSalt = null });

        Assert.Matches("^[0-9a-f]{16}$", record.Unit);
        Assert.Equal(record.Unit, other.Unit);
        Assert.NotEqual(record.Unit, resalted.Unit);
        Assert.DoesNotContain("alice", Encoding.UTF8.GetString(SampleSizeCap.Serialize(record)), StringComparison.Ordinal);
        Assert.Contains($"\"unit\":\"{record.Unit}\"", Encoding.UTF8.GetString(SampleSizeCap.Serialize(record)), StringComparison.Ordinal);
        Assert.Null(unsticky.Unit);
        Assert.DoesNotContain("\"unit\"", Encoding.UTF8.GetString(SampleSizeCap.Serialize(unsticky)), StringComparison.Ordinal);
    }

    private static SampleCapture Capture(string client, string? upstream, string response, string? contentType) =>
        SampleCaptures.Chat(Encoding.UTF8.GetBytes(client), Encoding.UTF8.GetBytes(response)) with
        {
            UpstreamBody = upstream is null ? null : (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes(upstream),
            Status = 200,
            ContentType = contentType,
        };
}
