using System.Text;
using LlmGateway.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Tests.Streaming;

/// <summary>
/// While the gateway strips the usage chunk it injected, the tap holds each unfinished event: these are the ways that
/// hold could hurt a client (found in review), each checked on a <see cref="DefaultHttpContext"/>.
/// </summary>
public sealed class ResponseTapStrippingTests
{
    private const string ContentEvent = "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \"},\"finish_reason\":null}],\"usage\":null}\n\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_leaves_mid_write_leaves_nothing_for_the_final_flush_to_trip_over()
    {
        var tap = Tap(new FailingStream(failAfterWrites: 1));
        var bytes = Encoding.UTF8.GetBytes(ContentEvent + ContentEvent);
        await tap.WriteAsync(bytes.AsMemory(0, ContentEvent.Length), Ct);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await tap.WriteAsync(bytes.AsMemory(ContentEvent.Length), Ct));

        // What the middleware does next for a client-gone attempt, before billing the request: it must not throw.
        var thrown = await Record.ExceptionAsync(() => tap.FlushPendingAsync(cut: false, Ct));

        Assert.Null(thrown);
    }

    [Fact]
    public async Task A_provider_that_never_sends_blank_lines_is_not_held_until_the_end()
    {
        var client = new MemoryStream();
        var tap = Tap(client);
        var line = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n";

        for (var i = 0; i < 100; i++)
        {
            await tap.WriteAsync(Encoding.UTF8.GetBytes(line), Ct);
        }

        // Only the latest line may wait for its event to end; everything before it reached the client.
        Assert.True(client.Length >= 99 * line.Length, $"the client got {client.Length} of {100 * line.Length} bytes");
    }

    [Fact]
    public async Task An_endless_event_is_never_held_past_a_small_bound_and_is_ended_at_the_line_cap()
    {
        var client = new MemoryStream();
        var tap = Tap(client);
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'a');

        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: \""), Ct);
        long written = 7;
        IOException? ended = null;
        for (var i = 0; i < 160 && ended is null; i++)
        {
            try
            {
                await tap.WriteAsync(chunk, Ct);
                written += chunk.Length;
            }
            catch (IOException ex)
            {
                ended = ex;
            }
        }

        // Sent on as it came (never held past 64 KB), until the line passed the 4 MB cap: then the write fails.
        Assert.True(client.Length >= written - (64 * 1024), $"the client got {client.Length} of {written} bytes");
        Assert.NotNull(ended);
        Assert.True(tap.LineCapExceeded);
        Assert.InRange(written, (4 * 1024 * 1024) - chunk.Length, 4 * 1024 * 1024);
    }

    [Theory]
    [InlineData(true, "")]
    [InlineData(false, "data: {\"id\":\"c\",\"choi")]
    public async Task A_line_the_provider_cut_short_never_reaches_the_client(bool cut, string expectedTail)
    {
        var client = new MemoryStream();
        var tap = Tap(client);
        await tap.WriteAsync(Encoding.UTF8.GetBytes(ContentEvent + "data: {\"id\":\"c\",\"choi"), Ct);

        await tap.FlushPendingAsync(cut, Ct);

        // Cut: the held half line is dropped, so the error event's opening blank line cannot end it into a half event.
        // Ended by the provider without a newline (not cut): the line is the provider's last word and goes out.
        Assert.Equal(ContentEvent + expectedTail, Encoding.UTF8.GetString(client.ToArray()));
    }

    [Fact]
    public async Task A_whole_line_cut_just_before_its_line_feed_still_reaches_the_client()
    {
        // It reads as an event (and is billed): the client gets it, ended by the error event's blank line.
        var client = new MemoryStream();
        var tap = Tap(client);
        var line = ContentEvent.TrimEnd('\n');
        await tap.WriteAsync(Encoding.UTF8.GetBytes(line), Ct);

        await tap.FlushPendingAsync(cut: true, Ct);

        Assert.Equal(line, Encoding.UTF8.GetString(client.ToArray()));
    }

    [Fact]
    public async Task A_whole_line_before_a_cut_still_reaches_the_client()
    {
        var client = new MemoryStream();
        var tap = Tap(client);
        var line = ContentEvent.TrimEnd('\n') + "\n";
        await tap.WriteAsync(Encoding.UTF8.GetBytes(line), Ct);

        await tap.FlushPendingAsync(cut: true, Ct);

        // A complete data line: the error event's blank line ends its event, which the client reads whole.
        Assert.Equal(line, Encoding.UTF8.GetString(client.ToArray()));
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\r\n")]
    public async Task An_event_whose_blank_line_ends_with_a_cr_at_the_end_of_a_read_reaches_the_client_in_that_read(string newline)
    {
        // Its blank line may yet be a CRLF, but it is a blank line already: the event is not held until the provider's next read.
        var client = new MemoryStream();
        var tap = Tap(client);
        var content = ContentEvent.Replace("\n", newline, StringComparison.Ordinal);
        var usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}" + newline + newline;

        // The read ends with the blank line's CR: "\r\r", or "\r\n\r" with its LF still to come.
        var split = newline == "\r" ? content.Length : content.Length - 1;

        await tap.WriteAsync(Encoding.UTF8.GetBytes(content[..split]), Ct);

        Assert.Equal(content[..split], Encoding.UTF8.GetString(client.ToArray()));

        // The rest of a split CRLF lies between events and goes on; the usage chunk is still dropped.
        await tap.WriteAsync(Encoding.UTF8.GetBytes(content[split..] + usage + "data: [DONE]" + newline + newline), Ct);
        await tap.FlushPendingAsync(cut: false, Ct);

        var sent = Encoding.UTF8.GetString(client.ToArray());
        Assert.DoesNotContain("usage\":{", sent, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]" + newline + newline, sent, StringComparison.Ordinal);
        Assert.Equal("Hi ", tap.Usage.Text.ToString());
    }

    private static ResponseTap Tap(Stream client)
    {
        var context = new DefaultHttpContext();
        var inner = new StreamResponseBodyFeature(client);
        context.Features.Set<IHttpResponseBodyFeature>(inner);
        context.Response.ContentType = "text/event-stream";
        return new ResponseTap(inner, context.Response, true, false, new HashSet<int> { 429 }, maxLineBytes: 4 * 1024 * 1024);
    }

    private sealed class FailingStream(int failAfterWrites) : MemoryStream
    {
        private int _writes;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ++_writes > failAfterWrites ? throw new OperationCanceledException("client gone") : base.WriteAsync(buffer, cancellationToken);
    }
}
