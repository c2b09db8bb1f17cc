using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Pipeline;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// Streams a reply as SSE in an endpoint's format (opening, content pieces, closing), applying the
/// stream knobs (chunks, chunk-delay-ms, hold, cut-after, error-after, corrupt, long-line, end-unfinished, no-done, after-end) along the way.
/// </summary>
internal sealed class StreamedReplyWriter(HoldRegistry holds, IOptions<MockProviderOptions> options)
{
    /// <summary>
    /// FlushAsync only hands bytes to Kestrel's transport pipe; Abort() drops whatever the socket loop has not
    /// sent yet (measured: without a pause the client usually receives nothing at all). This pause lets the
    /// flushed chunks reach the wire so cut-after really means "N chunks arrive, then the connection dies".
    /// </summary>
    internal static readonly TimeSpan DrainBeforeAbort = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The pause before a JSON answer or an error cut short is aborted: its headers must reach the client too, or the
    /// client reads a failure to answer, not an answer cut short. Longer than a stream's: on a loaded test box the socket
    /// loop can run hundreds of milliseconds late.
    /// </summary>
    internal static readonly TimeSpan CutBodyDrain = TimeSpan.FromSeconds(1);

    public async Task WriteAsync(HttpContext context, IReplyStreamFormat format, string reply)
    {
        var knobs = MockKnobs.Of(context);
        var corruption = knobs.Corrupt is { } corrupt ? CorruptText.For(corrupt) : null;
        var aborted = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var events = new SseEventWriter(response.BodyWriter);
        await format.OpenAsync(events, aborted);

        var pieces = ReplyChunker.Split(reply, knobs.Chunks ?? options.Value.DefaultChunks);
        if (knobs.CutAfter == 0)
        {
            await CutAsync(context);
            return;
        }

        for (var i = 0; i < pieces.Length; i++)
        {
            if (knobs.ChunkDelayMs is int delay and > 0)
            {
                await Task.Delay(delay, aborted);
            }

            await format.ContentAsync(events, pieces[i], aborted);
            if (i == 0 && corruption is not null)
            {
                events.CorruptNext(corruption);
                await format.ContentAsync(events, CorruptText.MarkerText, aborted);
            }

            if (i == 0 && knobs.LongLine is int padding)
            {
                await events.WriteLongLineAsync(padding, aborted);
            }

            if (knobs.ErrorAfter == i + 1)
            {
                // A provider's failure reported in a stream that already started (its status was 200): an error event,
                // then the end of the body, with no closing events.
                await events.WriteAsync(static json =>
                {
                    json.WriteStartObject();
                    json.WriteStartObject("error");
                    json.WriteString("message", "The server had an error while processing your request.");
                    json.WriteString("type", "server_error");
                    json.WriteNull("param");
                    json.WriteNull("code");
                    json.WriteEndObject();
                    json.WriteEndObject();
                }, aborted);
                return;
            }

            if (knobs.CutAfter == i + 1)
            {
                if (knobs.CutMidLine)
                {
                    await events.WriteHalfLineAsync(aborted);
                }

                await CutAsync(context);
                return;
            }

            // The first chunk is already flushed, so a test can observe it arriving while we are parked here.
            if (i == 0 && knobs.Hold is { } token)
            {
                await holds.WaitAsync(token, aborted);
            }
        }

        // end-unfinished: the closing events' blank lines each go out with the next event, so the last one never gets its own.
        events.WithholdBlankLine = knobs.EndUnfinished;
        events.OmitDone = knobs.NoDone;
        await format.CloseAsync(events, aborted);
        if (knobs.AfterEnd is { } afterEnd)
        {
            // A whole stream whose connection then stalls (hang: open until the client leaves) or breaks (reset), as
            // a provider or an intermediary may do after the last event.
            await response.BodyWriter.FlushAsync(aborted);
            if (afterEnd == "reset")
            {
                await CutAsync(context);
                return;
            }

            await Task.Delay(Timeout.Infinite, aborted);
        }
    }

    /// <summary>cut-after: drop the connection mid-stream (no closing events) like a crashed upstream.</summary>
    private static async Task CutAsync(HttpContext context)
    {
        await Task.Delay(DrainBeforeAbort, context.RequestAborted);
        context.Abort();
    }
}
