using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Samples;

/// <summary><c>gatewayctl samples</c> in-process, against canned admin API answers.</summary>
public sealed class SamplesCommandsTests
{
    private const string Page = """
        {"samples":[
          {"id":"smp_1","timestamp":"2026-11-29T15:04:05.123+00:00","environment":"production","prompt":"support-bot","version":3,"variant":"canary","model":"gpt-4o-mini","status":200,"reason":"rate","latency_ms":123.4,"cost_usd":0.000123,"truncated":false},
          {"id":"smp_2","timestamp":"2026-11-29T15:03:58+00:00","environment":null,"prompt":null,"version":null,"variant":null,"model":"gpt-4o","status":502,"reason":"forced","latency_ms":98.6,"cost_usd":null,"truncated":true}
        ],"next_cursor":"c_2"}
        """;

    private const string Record = """
        {"id":"smp_1","request_id":"req_42","timestamp":"2026-11-29T15:04:05.123+00:00","reason":"floor","environment":"production",
         "prompt":"support-bot","version":3,"variant":"canary","model":"gpt-4o-mini","provider":"openai","key_id":"key_7","endpoint":"/v1/chat/completions",
         "input":{"messages":[{"role":"user","content":"Where is my order?\nIt was due Monday."},{"role":"user","content":[{"type":"text","text":"See photo"},{"type":"image_url","image_url":{"url":"data:…"}}]}],
                  "variables":{"company":"Acme","tier":2}},
         "request":{"model":"gpt-4o-mini","messages":[]},
         "response":{"status":200,"text":"Let me check.","tool_calls":[{"id":"call_1","type":"function","name":"lookup_order","arguments":"{\"order\":\"A-1\"}"}],
                     "finish_reason":"tool_calls","model":"gpt-4o-mini-2024-07-18","refusal":null,"streamed":true,"complete":true,"error":null},
         "usage":{"model":"gpt-4o-mini","input_tokens":120,"cached_input_tokens":20,"output_tokens":45,"reasoning_tokens":0,"source":"reported","cost_usd":0.0000451,"finish_reason":"tool_calls","ttft_ms":45.2,"response_model":"gpt-4o-mini-2024-07-18"},
         "latency_ms":123.4,"ttft_ms":45.2,"redactions":{"email":2},"truncated":false}
        """;

    private static readonly string[] ExportLines =
    [
        """{"id":"smp_1","input":{"messages":[{"role":"user","content":"hi"}],"variables":null},"output":{"text":"Hello","tool_calls":[],"finish_reason":"stop"},"metadata":{"sample_id":"smp_1","request_id":"req_1","timestamp":"2026-11-29T15:04:05+00:00","environment":"production","prompt":null,"version":null,"variant":null,"model":"gpt-4o-mini","status":200,"truncated":false}}""",
        """{"id":"smp_2","input":{"messages":null,"variables":{"company":"Acme"}},"output":{"text":"Bonjour","tool_calls":[],"finish_reason":"stop"},"metadata":{"sample_id":"smp_2","request_id":"req_2","timestamp":"2026-11-29T15:03:00+00:00","environment":"production","prompt":"support-bot","version":3,"variant":"stable","model":"gpt-4o-mini","status":200,"truncated":true}}""",
    ];

    [Fact]
    public async Task List_prints_a_table_and_how_to_get_the_next_page()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Page);

        var run = await api.RunAsync("samples", "list", "--prompt", "support-bot", "--version", "v3", "--env", "production", "--from", "2026-11-29", "--limit", "2");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/samples?prompt=support-bot&version=3&environment=production&from=2026-11-29T00%3A00%3A00Z&limit=2", api.OnlyPathAndQuery);
        Assert.Equal("Bearer " + FakeAdminApi.Token, api.Requests[0].Headers.Authorization?.ToString());
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^ID\s+TIME\s+PROMPT\s+VARIANT\s+MODEL\s+STATUS\s+LATENCY\s+COST USD\s+REASON\s+TRUNCATED$", lines[0]);
        Assert.Matches(@"^smp_1\s+2026-11-29 15:04:05Z\s+support-bot@v3\s+canary\s+gpt-4o-mini\s+200\s+123 ms\s+0\.000123\s+rate\s+no$", lines[1]);
        Assert.Matches(@"^smp_2\s+2026-11-29 15:03:58Z\s+-\s+-\s+gpt-4o\s+502\s+99 ms\s+-\s+forced\s+yes$", lines[2]);
        Assert.Equal("More samples: repeat the command with --cursor c_2", lines[3]);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task List_json_prints_the_page_as_the_gateway_sent_it_and_passes_the_cursor()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Page);

        var run = await api.RunAsync("samples", "list", "--cursor", "c_2", "--json");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/samples?cursor=c_2", api.OnlyPathAndQuery);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("c_2", json.RootElement.GetProperty("next_cursor").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("samples").GetArrayLength());
        Assert.Equal(0.000123m, json.RootElement.GetProperty("samples")[0].GetProperty("cost_usd").GetDecimal());
    }

    [Fact]
    public async Task The_last_page_has_no_cursor_hint_and_an_empty_one_says_so()
    {
        var last = await FakeAdminApi.Answering(HttpStatusCode.OK, Page.Replace("\"c_2\"", "null", StringComparison.Ordinal)).RunAsync("samples", "list");
        var empty = await FakeAdminApi.Answering(HttpStatusCode.OK, """{"samples":[],"next_cursor":null}""").RunAsync("samples", "list");

        Assert.DoesNotContain("--cursor", last.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.Equal("No samples match." + Environment.NewLine, empty.AssertExit(0).Out);
    }

    [Fact]
    public async Task Show_prints_the_route_input_response_usage_and_flags()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Record);

        var run = await api.RunAsync("samples", "show", "smp_0192f3c1a2b7c4e1d2a9f0");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/samples/smp_0192f3c1a2b7c4e1d2a9f0", api.OnlyPathAndQuery);
        var expected = """
            Sample smp_1 of request req_42 at 2026-11-29 15:04:05Z (sampled: floor)
            Route: support-bot v3 (canary) in production → gpt-4o-mini via openai, key key_7, /v1/chat/completions

            Input messages (2)
              user: Where is my order?
                    It was due Monday.
              user: See photo
                    [image_url]

            Variables
              company:  Acme
              tier:     2

            Response (HTTP 200, streamed, model gpt-4o-mini-2024-07-18)
              Let me check.

            Tool calls (1)
              call_1  lookup_order({"order":"A-1"})

            finish reason:  tool_calls
            tokens:         120 in (20 cached), 45 out (0 reasoning), reported by the provider
            cost USD:       0.0000451 (from reported tokens)
            latency:        123 ms (first token after 45 ms)
            redactions:     email 2
            truncated:      no

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), run.Out);
    }

    [Fact]
    public async Task Show_json_prints_the_record_as_is()
    {
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, Record).RunAsync("--json", "samples", "show", "smp_0192f3c1a2b7c4e1d2a9f0");

        using var json = JsonDocument.Parse(run.AssertExit(0).Out);
        using var original = JsonDocument.Parse(Record);
        Assert.True(JsonElement.DeepEquals(original.RootElement, json.RootElement));
    }

    [Theory]
    [InlineData("queue")]
    [InlineData("export")]
    [InlineData("smp_1")]
    [InlineData("smp_0192F3C1A2B7C4E1D2A9F0")]
    public async Task Show_refuses_what_is_not_a_sample_id_before_asking_the_gateway(string notAnId)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Record);

        var run = await api.RunAsync("samples", "show", notAnId);

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
        Assert.Contains("is not a sample id", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_prints_what_a_client_or_model_wrote_without_its_terminal_escapes()
    {
        // ESC ] 52 sets the clipboard in many terminals; ESC [ 1A rewrites the line above; U+202E reverses what follows.
        var hostile = Record.Replace("Let me check.", """Let me check.\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[1A\u202Eevil""", StringComparison.Ordinal);
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, hostile).RunAsync("samples", "show", "smp_0192f3c1a2b7c4e1d2a9f0");

        var shown = run.AssertExit(0).Out;
        Assert.DoesNotContain('\u001b', shown);
        Assert.DoesNotContain('\u0007', shown);
        Assert.DoesNotContain('\u202E', shown);
        Assert.Contains("Let me check.\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[1A\\u202eevil", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_page_with_a_cursor_says_older_samples_may_match()
    {
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, """{"samples":[],"next_cursor":"smp_0192f3c1a2b7c4e1d2a9f0"}""").RunAsync("samples", "list", "--env", "staging");

        Assert.Contains("--cursor smp_0192f3c1a2b7c4e1d2a9f0", run.AssertExit(0).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_sample_is_refused_with_the_gateways_message_and_code()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.NotFound, "No sample 'smp_x'.", "invalid_request_error", "sample_not_found"));

        var run = await api.RunAsync("samples", "show", "smp_000000000000aaaaaaaaaa");

        run.AssertExit(ExitCodes.Refused);
        Assert.Empty(run.Out);
        Assert.Equal("error: No sample 'smp_x'. (sample_not_found)" + Environment.NewLine, run.Err);
    }

    [Fact]
    public async Task A_filter_the_gateway_rejects_is_reported_with_its_parameter()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.BadRequest, "Unknown variant 'blue'.", "invalid_request_error", null, "variant"));

        var run = await api.RunAsync("samples", "list", "--variant", "blue");

        run.AssertExit(ExitCodes.Refused);
        Assert.Equal("/admin/v1/samples?variant=blue", api.OnlyPathAndQuery);
        Assert.Empty(run.Out);
        Assert.Contains("error: Unknown variant 'blue'. (invalid_request_error)", run.Err, StringComparison.Ordinal);
        Assert.Contains("  param: variant", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list", "--limit", "0")]
    [InlineData("list", "--version", "three")]
    [InlineData("list", "--from", "yesterday")]
    [InlineData("export", "--from", "2026-11-30", "--to", "2026-11-29")]
    [InlineData("export", "--limit", "-5")]
    public async Task Bad_flags_are_usage_errors_and_send_nothing(params string[] args)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Page);

        var run = await api.RunAsync(["samples", .. args]);

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
        Assert.Contains("(usage_error)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_to_stdout_writes_the_lines_and_the_count_to_stderr()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, string.Join('\n', ExportLines) + "\n", "application/x-ndjson");

        var run = await api.RunAsync("samples", "export", "--model", "gpt-4o-mini", "--limit", "5");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/samples/export?model=gpt-4o-mini&limit=5", api.OnlyPathAndQuery);
        Assert.Contains(api.Requests[0].Headers.Accept, accept => accept.MediaType == "application/x-ndjson");
        Assert.Equal(string.Join('\n', ExportLines) + "\n", run.Out);
        Assert.Equal("Exported 2 samples to stdout." + Environment.NewLine, run.Err);
    }

    [Fact]
    public async Task Export_to_a_file_replaces_it_once_complete_and_leaves_nothing_else()
    {
        var folder = Directory.CreateTempSubdirectory("gatewayctl-export-");
        try
        {
            var file = Path.Combine(folder.FullName, "golden.jsonl");
            await File.WriteAllTextAsync(file, "old content\n", TestContext.Current.CancellationToken);
            // CRLF and a blank line from the server still make clean JSONL.
            var api = FakeAdminApi.Answering(HttpStatusCode.OK, ExportLines[0] + "\r\n\r\n" + ExportLines[1], "application/x-ndjson");

            var run = await api.RunAsync("samples", "export", "--prompt", "support-bot", "--output", file);

            run.AssertExit(0);
            Assert.Equal("/admin/v1/samples/export?prompt=support-bot", api.OnlyPathAndQuery);
            Assert.Equal($"Exported 2 samples to {file}" + Environment.NewLine, run.Out);
            Assert.Empty(run.Err);
            var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
            Assert.Equal(string.Join('\n', ExportLines) + "\n", Encoding.UTF8.GetString(bytes));
            Assert.NotEqual(0xEF, bytes[0]);
            Assert.Equal([file], Directory.GetFiles(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Export_json_with_a_file_prints_what_was_written_where()
    {
        var folder = Directory.CreateTempSubdirectory("gatewayctl-export-");
        try
        {
            var file = Path.Combine(folder.FullName, "golden.jsonl");
            var api = FakeAdminApi.Answering(HttpStatusCode.OK, ExportLines[0] + "\n", "application/x-ndjson");

            var run = await api.RunAsync("--json", "samples", "export", "-o", file);

            using var json = JsonDocument.Parse(run.AssertExit(0).Out);
            Assert.Equal(file, json.RootElement.GetProperty("file").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("exported").GetInt32());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Export_writes_each_line_before_the_next_one_arrives()
    {
        using var stdout = new StringWriter();
        var seenBeforeChunk = new List<string>();
        var chunks = new[] { ExportLines[0] + "\n", ExportLines[1][..40], ExportLines[1][40..] + "\n" }.Select(Encoding.UTF8.GetBytes).ToArray();
        var api = new FakeAdminApi(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new ChunkedStream(chunks, chunk => seenBeforeChunk.Add(stdout.ToString())), bufferSize: 64 * 1024),
        });

        var run = await api.RunAsync(stdout, "samples", "export");

        run.AssertExit(0);
        Assert.Equal(["", ExportLines[0] + "\n", ExportLines[0] + "\n"], seenBeforeChunk);
        Assert.Equal(string.Join('\n', ExportLines) + "\n", run.Out);
    }

    [Fact]
    public async Task A_refused_export_leaves_the_existing_file_alone()
    {
        var folder = Directory.CreateTempSubdirectory("gatewayctl-export-");
        try
        {
            var file = Path.Combine(folder.FullName, "golden.jsonl");
            await File.WriteAllTextAsync(file, "old content\n", TestContext.Current.CancellationToken);
            var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.BadRequest, "'to' is not an ISO-8601 instant.", "invalid_request_error", "invalid_filter", "to"));

            var run = await api.RunAsync("samples", "export", "--output", file);

            run.AssertExit(ExitCodes.Refused);
            Assert.Empty(run.Out);
            Assert.Contains("error: 'to' is not an ISO-8601 instant. (invalid_filter)", run.Err, StringComparison.Ordinal);
            Assert.Equal("old content\n", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
            Assert.Equal([file], Directory.GetFiles(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_broken_or_garbled_export_fails_as_unavailable_and_writes_no_file()
    {
        var folder = Directory.CreateTempSubdirectory("gatewayctl-export-");
        try
        {
            var broken = Path.Combine(folder.FullName, "broken.jsonl");
            var garbled = Path.Combine(folder.FullName, "garbled.jsonl");
            var cut = new FakeAdminApi(_ => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(new ChunkedStream([Encoding.UTF8.GetBytes(ExportLines[0] + "\n")], failAfterChunks: new IOException("connection reset"))),
            });
            var html = FakeAdminApi.Answering(HttpStatusCode.OK, ExportLines[0] + "\n<html>proxy error</html>\n", "text/html");

            var brokenRun = await cut.RunAsync("samples", "export", "--output", broken);
            var garbledRun = await html.RunAsync("samples", "export", "--output", garbled);

            brokenRun.AssertExit(ExitCodes.Unavailable);
            Assert.Contains("(gateway_unreachable)", brokenRun.Err, StringComparison.Ordinal);
            garbledRun.AssertExit(ExitCodes.Unavailable);
            Assert.Contains("Line 2 of the gateway's export is not a JSON object", garbledRun.Err, StringComparison.Ordinal);
            Assert.Contains("(unexpected_response)", garbledRun.Err, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Export_maps_401_and_an_unreachable_gateway_to_their_exit_codes()
    {
        var unauthenticated = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.Unauthorized, "Unknown admin token.", "authentication_error", "invalid_admin_token"));
        var unreachable = new FakeAdminApi(_ => throw new HttpRequestException("Connection refused"));

        var denied = await unauthenticated.RunAsync("samples", "export");
        var down = await unreachable.RunAsync("samples", "export");

        denied.AssertExit(ExitCodes.AuthenticationFailed);
        Assert.Empty(denied.Out);
        down.AssertExit(ExitCodes.Unavailable);
        Assert.Contains("(gateway_unreachable)", down.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAdminApi.Token, denied.Err + down.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_to_a_missing_directory_is_a_usage_error()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, ExportLines[0]);

        var run = await api.RunAsync("samples", "export", "--output", Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.jsonl"));

        run.AssertExit(ExitCodes.Usage);
        Assert.Contains("(unwritable_file)", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }
}
