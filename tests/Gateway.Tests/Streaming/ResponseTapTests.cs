using System.Text;
using CsCheck;
using LlmGateway.OpenAi;
using LlmGateway.Streaming;
using LlmGateway.Tests.OpenAi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Tests.Streaming;

/// <summary>The tap alone, on a <see cref="DefaultHttpContext"/>: write-through, the hold gate, and what its observers see.</summary>
public sealed class ResponseTapTests
{
    private const string ContentEvent = "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \"},\"finish_reason\":null}],\"usage\":null}\n\n";
    private const string UsageEvent = "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}\n\n";

    private static readonly string Stream =
        "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
        ContentEvent +
        "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"th\\u00e9re\"},\"finish_reason\":null}],\"usage\":null}\r\n\r\n" +
        "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
        UsageEvent +
        "data: [DONE]\n\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_write_reaches_the_client_at_once_and_unchanged_then_is_read()
    {
        var (tap, client, _) = Tap("text/event-stream");
        var bytes = Encoding.UTF8.GetBytes(Stream);

        for (var i = 0; i < bytes.Length; i += 10)
        {
            await tap.WriteAsync(bytes.AsMemory(i, Math.Min(10, bytes.Length - i)), Ct);
            Assert.Equal(Math.Min(i + 10, bytes.Length), client.Length);
        }

        await tap.FlushPendingAsync(cut: false, Ct);
        tap.Complete();
        Assert.Equal(bytes, client.ToArray());
        Assert.Equal("Hi thére", tap.Usage.Text.ToString());
        Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
        Assert.Equal(("gpt-4o-mini", "stop"), (tap.Usage.Model, tap.Usage.FinishReason));
        Assert.NotNull(tap.Usage.FirstOutputTimestamp);
    }

    [Fact]
    public async Task Stripping_drops_exactly_the_usage_only_event_in_any_split_and_parses_every_event_once()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        var expected = Stream.Replace(UsageEvent, "", StringComparison.Ordinal);

        await Gen.Int[1, 64].Array[1, 30].SampleAsync(async sizes =>
        {
            var (tap, client, _) = Tap("text/event-stream", strip: true);
            await WriteAsync(tap, bytes, sizes);
            await tap.FlushPendingAsync(cut: false, Ct);
            tap.Complete();

            Assert.Equal(expected, Encoding.UTF8.GetString(client.ToArray()));
            Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
            Assert.Equal(5, tap.Reader!.DataEvents);
            Assert.Equal(tap.Reader.DataEvents, tap.Reader.Parses);
        });
    }

    [Fact]
    public async Task Stripping_drops_the_usage_only_event_whatever_comment_or_field_lines_come_before_its_data_in_any_split()
    {
        // Only data lines make an event the usage chunk. With an event:, id: or comment line first, a read that split
        // inside its data line saw two lines, released the event as "not the usage chunk", and the client got the usage
        // chunk it never asked for (in one read it was dropped: the answer depended on the provider's read sizes).
        var usage = ": keep-alive\nevent: message\nid: 7\n" + UsageEvent;
        var stream = Stream.Replace(UsageEvent, usage, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(stream);
        var expected = Stream.Replace(UsageEvent, "", StringComparison.Ordinal);

        await Gen.Int[1, 64].Array[1, 30].SampleAsync(async sizes =>
        {
            var (tap, client, _) = Tap("text/event-stream", strip: true);
            await WriteAsync(tap, bytes, sizes);
            await tap.FlushPendingAsync(cut: false, Ct);
            tap.Complete();

            Assert.Equal(expected, Encoding.UTF8.GetString(client.ToArray()));
            Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
        });
    }

    [Fact]
    public async Task A_stripped_usage_event_takes_its_whole_crlf_ending_even_when_a_read_splits_the_last_cr_from_its_lf()
    {
        // The framer ends an event on a CR at the end of a read and counts the LF after it as between events: that LF
        // was sent after the dropped event, and the client's stream was not the provider's minus the chunk.
        var crlf = Stream.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        var usage = UsageEvent.Replace("\n", "\r\n", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(crlf);
        var expected = crlf.Replace(usage, "", StringComparison.Ordinal);
        var split = crlf.IndexOf(usage, StringComparison.Ordinal) + usage.Length - 1;

        foreach (int[] sizes in new[] { new[] { split, bytes.Length - split }, [split - 1, 1, 1, bytes.Length - split - 1], [7] })
        {
            var (tap, client, _) = Tap("text/event-stream", strip: true);
            await WriteAsync(tap, bytes, sizes);
            await tap.FlushPendingAsync(cut: false, Ct);
            tap.Complete();

            Assert.Equal(expected, Encoding.UTF8.GetString(client.ToArray()));
            Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
        }
    }

    [Fact]
    public async Task A_stream_loses_the_length_its_provider_declared_since_the_gateway_adds_to_it_and_json_keeps_it()
    {
        var (sse, _, sseContext) = Tap("text/event-stream");
        var (json, _, jsonContext) = Tap("application/json");
        sseContext.Response.ContentLength = 1234;
        jsonContext.Response.ContentLength = 2;

        await sse.WriteAsync(Encoding.UTF8.GetBytes(ContentEvent), Ct);
        await json.WriteAsync("{}"u8.ToArray(), Ct);

        Assert.Null(sseContext.Response.ContentLength);
        Assert.Equal(2, jsonContext.Response.ContentLength);
    }

    [Fact]
    public async Task A_stream_that_ends_mid_line_is_known_so_the_trailer_ends_the_line_before_its_comment()
    {
        var (cut, _, _) = Tap("text/event-stream");
        var (whole, _, _) = Tap("text/event-stream");

        await cut.WriteAsync(Encoding.UTF8.GetBytes(ContentEvent + "data: [DONE]"), Ct);
        await whole.WriteAsync(Encoding.UTF8.GetBytes(ContentEvent + "data: [DONE]\n\n"), Ct);

        Assert.True(cut.EndsMidLine);
        Assert.False(whole.EndsMidLine);
        var record = new LlmGateway.Accounting.AccountingRecord("gpt-4o-mini", 5, 0, 7, 0, "reported", 0.0001m, "stop", null, null);
        Assert.StartsWith("\n\n: gateway-usage {", Encoding.UTF8.GetString(UsageComment.Format(record, endLineFirst: true)), StringComparison.Ordinal);
        Assert.StartsWith(": gateway-usage {", Encoding.UTF8.GetString(UsageComment.Format(record)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("identity, br")]
    public async Task An_encoded_response_passes_through_unread_unstripped_and_unsampled(string coding)
    {
        var (tap, client, context) = Tap("text/event-stream", strip: true);
        context.Response.Headers.ContentEncoding = coding;
        tap.StartSampleCapture(1 << 20);
        var bytes = Encoding.UTF8.GetBytes(Stream);

        await WriteAsync(tap, bytes, [9]);
        await tap.FlushPendingAsync(cut: false, Ct);
        tap.Complete();

        Assert.Equal(bytes, client.ToArray());
        Assert.False(tap.IsSse);
        Assert.Equal(coding.Split(',')[^1].Trim(), tap.ContentEncoding);
        Assert.Null(tap.Usage.Usage);
        Assert.Empty(tap.TakeSampleBytes());
    }

    [Fact]
    public async Task An_identity_coding_is_read_as_if_none_were_named()
    {
        var (tap, _, context) = Tap("text/event-stream");
        context.Response.Headers.ContentEncoding = "identity";

        await tap.WriteAsync(Encoding.UTF8.GetBytes(Stream), Ct);
        tap.Complete();

        Assert.True(tap.IsSse);
        Assert.Null(tap.ContentEncoding);
        Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
    }

    [Fact]
    public async Task Without_stripping_every_event_is_also_parsed_once()
    {
        var (tap, _, _) = Tap("text/event-stream");

        await WriteAsync(tap, Encoding.UTF8.GetBytes(Stream), [7]);
        tap.Complete();

        Assert.Equal((5, 5), (tap.Reader!.DataEvents, tap.Reader.Parses));
    }

    [Fact]
    public async Task Stripping_holds_an_event_only_until_it_ends()
    {
        var (tap, client, _) = Tap("text/event-stream", strip: true);
        var content = Encoding.UTF8.GetBytes(ContentEvent);

        await tap.WriteAsync(content.AsMemory(0, 20), Ct);
        Assert.Equal(0, client.Length);
        await tap.WriteAsync(content.AsMemory(20), Ct);
        Assert.Equal(content, client.ToArray());
    }

    [Theory]
    [InlineData("{\"index\":0,\"delta\":{\"content\":\"\\ud800\"}}")]
    [InlineData("{\"index\":0,\"delta\":{\"content\":\"\\udfff\\ud800x\"}}")]
    public async Task A_lone_surrogate_passes_through_unchanged_is_counted_and_the_usage_still_read(string choice)
    {
        var bad = $"data: {{\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{choice}],\"usage\":null}}\n\n";
        var (tap, client, _) = Tap("text/event-stream", strip: true);

        await WriteAsync(tap, Encoding.UTF8.GetBytes(ContentEvent + bad + UsageEvent + "data: [DONE]\n\n"), [3]);
        await tap.FlushPendingAsync(cut: false, Ct);
        tap.Complete();

        Assert.Equal(ContentEvent + bad + "data: [DONE]\n\n", Encoding.UTF8.GetString(client.ToArray()));
        Assert.Equal((1, 0), (tap.Reader!.InvalidTextEvents, tap.Reader.MalformedEvents));
        Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
        Assert.True(tap.Reader.SawDone);
    }

    [Fact]
    public async Task Invalid_utf8_passes_through_byte_for_byte_and_is_counted()
    {
        byte[] bad = [.. "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""u8, 0xFF, 0xC0, 0xAF, .. "\"}}]}\n\n"u8];
        byte[] stream = [.. Encoding.UTF8.GetBytes(ContentEvent), .. bad, .. Encoding.UTF8.GetBytes(UsageEvent)];
        var (tap, client, _) = Tap("text/event-stream");

        await WriteAsync(tap, stream, [2]);
        tap.Complete();

        Assert.Equal(stream, client.ToArray());
        Assert.Equal(1, tap.Reader!.InvalidTextEvents);
        Assert.Equal(new OpenAiUsage(5, 7, null, null, 12), tap.Usage.Usage);
    }

    [Fact]
    public async Task A_cut_stream_gets_the_held_half_event_and_it_is_read_if_whole()
    {
        var (tap, client, _) = Tap("text/event-stream", strip: true);
        const string Cut = ContentEvent + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"}}]}";

        await WriteAsync(tap, Encoding.UTF8.GetBytes(Cut), [9]);
        await tap.FlushPendingAsync(cut: false, Ct);

        Assert.Equal(Cut, Encoding.UTF8.GetString(client.ToArray()));
        Assert.Equal("Hi !", tap.Usage.Text.ToString());
    }

    [Fact]
    public async Task A_json_body_is_held_headers_unsent_until_released_and_its_usage_read()
    {
        var (tap, client, context) = Tap("application/json", holdJson: true);
        var body = Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}");

        await tap.StartAsync(Ct);
        await WriteAsync(tap, body, [11]);
        await tap.FlushAsync(Ct);

        Assert.True(tap.IsHolding);
        Assert.False(context.Response.HasStarted);
        Assert.Equal(0, client.Length);
        tap.Complete();
        Assert.Equal(new OpenAiUsage(3, 1, null, null, null), tap.Usage.Usage);
        Assert.Equal("hi", tap.Usage.Text.ToString());
        await tap.ReleaseHeldAsync(Ct);
        Assert.Equal(body, client.ToArray());
        Assert.False(tap.IsHolding);

        // The whole body was held, so its length goes out with the headers: no chunked framing.
        Assert.Equal(body.Length, context.Response.ContentLength);
    }

    [Fact]
    public async Task A_length_the_provider_sent_is_left_as_it_is()
    {
        var (tap, _, context) = Tap("application/json", holdJson: true);
        context.Response.ContentLength = 999;
        await tap.WriteAsync("{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}"u8.ToArray(), Ct);
        tap.Complete();
        await tap.ReleaseHeldAsync(Ct);

        Assert.Equal(999, context.Response.ContentLength);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task A_released_response_whose_status_has_no_body_gets_no_length(int status)
    {
        var (empty, _, emptyContext) = Tap("application/json", holdJson: true, status: status);
        empty.Complete();
        await empty.ReleaseHeldAsync(Ct);
        Assert.Null(emptyContext.Response.ContentLength);
    }

    [Fact]
    public async Task A_json_body_over_the_cap_stops_being_held_and_passes_through()
    {
        var (tap, client, _) = Tap("application/json", holdJson: true);
        var body = new byte[(4 * 1024 * 1024) + 10];
        body.AsSpan().Fill((byte)' ');

        await tap.WriteAsync(body.AsMemory(0, 1024 * 1024), Ct);
        await tap.WriteAsync(body.AsMemory(1024 * 1024), Ct);

        Assert.False(tap.IsHolding);
        Assert.Equal(body.Length, client.Length);
    }

    [Fact]
    public async Task A_json_body_over_the_cap_keeps_its_call_items_and_usage_for_the_bill()
    {
        // Two generated images of ~2.5 MB of base64 each: past the cap, only the body's end is kept, yet both calls
        // (the fees of the tool that made them) and the usage at its end are read. Pretty-printed, as OpenAI sends it.
        var (tap, client, _) = Tap("application/json", holdJson: true);
        var image = new string('A', 2_500_000);
        var body = Encoding.UTF8.GetBytes(
            "{\n  \"object\": \"response\",\n  \"output\": [\n    {\n      \"type\": \"image_generation_call\",\n      \"result\": \"" + image + "\"\n    },\n" +
            "    {\"type\":\"image_generation_call\",\"result\":\"" + image + "\"},\n" +
            "    {\"type\": \"message\", \"content\": [{\"type\": \"output_text\", \"text\": \"a \\\"type\\\": \\\"web_search_call\\\" in text\"}]},\n" +
            "    {\"type\": \"function_call\", \"name\": \"f\", \"arguments\": \"{}\"}\n  ],\n" +
            "  \"usage\": {\"input_tokens\": 40, \"output_tokens\": 12, \"total_tokens\": 52}\n}");

        for (var i = 0; i < body.Length; i += 65_536)
        {
            await tap.WriteAsync(body.AsMemory(i, Math.Min(65_536, body.Length - i)), Ct);
        }

        await tap.FlushPendingAsync(cut: false, Ct);
        tap.Complete();
        Assert.Equal(body.Length, client.Length);
        Assert.Equal(["image_generation", "image_generation"], tap.Usage.ProviderToolCalls.OrderBy(c => c, StringComparer.Ordinal));
        Assert.Equal(40, tap.Usage.Usage?.InputTokens);
        Assert.Equal(12, tap.Usage.Usage?.OutputTokens);
    }

    [Fact]
    public async Task A_retryable_error_is_held_then_released_or_discarded()
    {
        var error = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"u8.ToArray();
        var (released, releasedClient, releasedContext) = Tap("application/json", status: 503);
        var (discarded, discardedClient, _) = Tap("application/json", status: 503);

        await released.StartAsync(Ct);
        await released.WriteAsync(error, Ct);
        await discarded.WriteAsync(error, Ct);

        Assert.True(released.IsHoldingError);
        Assert.False(releasedContext.Response.HasStarted);
        Assert.Equal(0, releasedClient.Length);
        await released.ReleaseErrorAsync(Ct);
        discarded.DiscardHeld();
        Assert.Equal(error, releasedClient.ToArray());
        Assert.False(discarded.IsHoldingError);
        Assert.Equal(0, discardedClient.Length);
    }

    [Fact]
    public async Task A_flush_before_the_first_write_does_not_start_a_retryable_error()
    {
        var client = new FlushCountingStream();
        var (tap, _, _) = Tap("application/json", status: 503, client: client);
        var error = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"u8.ToArray();

        await tap.FlushAsync(Ct);
        tap.Flush();
        await tap.WriteAsync(error, Ct);

        Assert.True(tap.IsHoldingError);
        Assert.Equal(0, client.Flushes);
        Assert.Equal(0, client.Length);
    }

    [Fact]
    public async Task A_flush_of_an_answer_reaches_the_client()
    {
        var client = new FlushCountingStream();
        var (tap, _, _) = Tap("text/event-stream", client: client);

        await tap.FlushAsync(Ct);

        Assert.Equal(1, client.Flushes);
    }

    [Fact]
    public async Task An_error_too_large_to_retry_passes_through()
    {
        var (tap, client, _) = Tap("text/plain", status: 503);
        var body = new byte[70 * 1024];

        await tap.WriteAsync(body.AsMemory(0, 60 * 1024), Ct);
        Assert.True(tap.IsHoldingError);
        await tap.WriteAsync(body.AsMemory(60 * 1024), Ct);

        Assert.False(tap.IsHoldingError);
        Assert.Equal(body.Length, client.Length);
    }

    [Fact]
    public async Task A_sample_copies_the_providers_bytes_up_to_its_cap()
    {
        var (tap, _, _) = Tap("text/event-stream", strip: true);
        var (capped, _, _) = Tap("text/event-stream");
        var bytes = Encoding.UTF8.GetBytes(Stream);
        tap.StartSampleCapture(1024 * 1024);
        capped.StartSampleCapture(100);

        await WriteAsync(tap, bytes, [33]);
        await WriteAsync(capped, bytes, [33]);

        Assert.Equal(bytes, tap.TakeSampleBytes());
        Assert.False(tap.SampleTruncated);
        Assert.Equal(bytes[..100], capped.TakeSampleBytes());
        Assert.True(capped.SampleTruncated);
    }

    [Fact]
    public async Task A_streamed_responses_api_answer_is_read_for_its_usage()
    {
        var (tap, client, _) = Tap("text/event-stream; charset=utf-8");
        var bytes = Encoding.UTF8.GetBytes(OpenAiResponseReaderTests.ResponsesStream);

        await WriteAsync(tap, bytes, [100]);
        tap.Complete();

        Assert.Equal(bytes, client.ToArray());
        Assert.Equal(new OpenAiUsage(11, 3, 0, 0, 14), tap.Usage.Usage);
        Assert.Equal("Hello", tap.Usage.Text.ToString());
        Assert.NotNull(tap.Usage.FirstOutputTimestamp);
    }

    [Fact]
    public async Task A_rented_tap_starts_as_new_whatever_its_previous_attempt_left()
    {
        var pool = ResponseTap.CreatePool(4);

        // The previous attempt: a stripped, sampled stream cut inside an event, so the tap, its reader, framer, filter
        // and observer are all left mid-way.
        var (previousContext, previousClient) = Response("text/event-stream");
        var previous = ResponseTap.Rent(previousContext.Features.Get<IHttpResponseBodyFeature>()!, previousContext.Response, stripUsageChunk: true, holdJson: false, new HashSet<int> { 503 }, timer: null, maxLineBytes: 1024 * 1024, pool);
        previous.StartSampleCapture(1024);
        var cut = Encoding.UTF8.GetBytes(Stream);
        await previous.WriteAsync(cut.AsMemory(0, cut.Length - 20), Ct);
        Assert.True(previous.IsSse && previous.Usage.Model is not null && previous.Reader!.DataEvents > 0);
        previous.Dispose();

        // The next attempt gets the same tap, and a JSON body held for its usage headers.
        var (context, client) = Response("application/json");
        var tap = ResponseTap.Rent(context.Features.Get<IHttpResponseBodyFeature>()!, context.Response, stripUsageChunk: false, holdJson: true, new HashSet<int> { 503 }, timer: null, maxLineBytes: 1024 * 1024, pool);
        Assert.Same(previous, tap);
        Assert.False(tap.SawResponse);
        Assert.Null(tap.Reader);
        Assert.Null(tap.Usage.Usage);
        Assert.Null(tap.Usage.Model);
        Assert.Empty(tap.TakeSampleBytes());

        const string Body = """{"id":"r","object":"chat.completion","model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"length"}],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}""";
        await tap.WriteAsync(Encoding.UTF8.GetBytes(Body), Ct);
        Assert.Equal(0, client.Length);
        Assert.True(tap.IsHolding);
        await tap.ReleaseHeldAsync(Ct);
        tap.Complete();

        Assert.Equal(Body, Encoding.UTF8.GetString(client.ToArray()));
        Assert.Equal(new OpenAiUsage(11, 3, null, null, 14), tap.Usage.Usage);
        Assert.Equal(("gpt-4.1", "length", "ok"), (tap.Usage.Model, tap.Usage.FinishReason, tap.Usage.Text.ToString()));
        Assert.Equal((0, 1, 0, false), (tap.Reader!.DataEvents, tap.Reader.Parses, tap.Reader.MalformedEvents, tap.Reader.SawDone));
        Assert.False(tap.IsSse || tap.LineCapExceeded || tap.SampleTruncated);
        Assert.Empty(tap.TakeSampleBytes());
        // The previous attempt's client got what was decided before the cut, and nothing of the next attempt's.
        Assert.True(previousClient.Length <= cut.Length - 20);
    }

    [Fact]
    public async Task A_rented_tap_reads_with_the_line_cap_it_is_rented_with()
    {
        var pool = ResponseTap.CreatePool(4);
        var (wideContext, _) = Response("text/event-stream");
        var wide = ResponseTap.Rent(wideContext.Features.Get<IHttpResponseBodyFeature>()!, wideContext.Response, stripUsageChunk: true, holdJson: false, retryableStatuses: null, timer: null, maxLineBytes: 64 * 1024, pool);
        await wide.WriteAsync(Encoding.UTF8.GetBytes(ContentEvent), Ct);
        wide.Dispose();

        // The same tap, now with a 1 KB cap: a 4 KB line is past it (the reader kept from before had 64 KB).
        var (context, _) = Response("text/event-stream");
        var tap = ResponseTap.Rent(context.Features.Get<IHttpResponseBodyFeature>()!, context.Response, stripUsageChunk: true, holdJson: false, retryableStatuses: null, timer: null, maxLineBytes: 1024, pool);
        Assert.Same(wide, tap);
        await Assert.ThrowsAsync<IOException>(async () => await tap.WriteAsync(Encoding.UTF8.GetBytes("data: " + new string('x', 4096) + "\n\n"), Ct));

        Assert.True(tap.LineCapExceeded);
    }

    [Fact]
    public void A_tap_disposed_twice_goes_back_to_its_pool_once()
    {
        var pool = ResponseTap.CreatePool(4);
        var (context, _) = Response("application/json");
        var feature = context.Features.Get<IHttpResponseBodyFeature>()!;
        var tap = ResponseTap.Rent(feature, context.Response, stripUsageChunk: false, holdJson: true, retryableStatuses: null, timer: null, maxLineBytes: 1024, pool);

        tap.Dispose();
        tap.Dispose();

        var first = ResponseTap.Rent(feature, context.Response, stripUsageChunk: false, holdJson: true, retryableStatuses: null, timer: null, maxLineBytes: 1024, pool);
        var second = ResponseTap.Rent(feature, context.Response, stripUsageChunk: false, holdJson: true, retryableStatuses: null, timer: null, maxLineBytes: 1024, pool);
        Assert.Same(tap, first);
        Assert.NotSame(first, second);
    }

    private static (DefaultHttpContext Context, MemoryStream Client) Response(string contentType)
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(client));
        context.Response.ContentType = contentType;
        return (context, client);
    }

    private static async Task WriteAsync(ResponseTap tap, byte[] bytes, int[] sizes)
    {
        var offset = 0;
        var i = 0;
        while (offset < bytes.Length)
        {
            var size = Math.Min(sizes[i++ % sizes.Length], bytes.Length - offset);
            await tap.WriteAsync(bytes.AsMemory(offset, size), Ct);
            offset += size;
        }
    }

    private static (ResponseTap Tap, MemoryStream Client, DefaultHttpContext Context) Tap(string contentType, bool strip = false, bool holdJson = false, int status = 200, MemoryStream? client = null)
    {
        client ??= new MemoryStream();
        var context = new DefaultHttpContext();
        var inner = new StreamResponseBodyFeature(client);
        context.Features.Set<IHttpResponseBodyFeature>(inner);
        context.Response.ContentType = contentType;
        context.Response.StatusCode = status;
        return (new ResponseTap(inner, context.Response, strip, holdJson, new HashSet<int> { 429, 503 }), client, context);
    }

    private sealed class FlushCountingStream : MemoryStream
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }

        // Not through base: MemoryStream's FlushAsync calls Flush, which would count twice.
        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }
    }
}
