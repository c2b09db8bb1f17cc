using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// A non-streamed JSON reply: whole, or, with the <c>body-cut-after</c> knob, its first N bytes under the whole
/// reply's Content-Length before the connection is aborted (a provider that dies while sending a generated answer).
/// </summary>
internal static class JsonReplyWriter
{
    public static async Task WriteAsync<T>(HttpContext context, T reply, JsonTypeInfo<T> typeInfo)
    {
        if (MockKnobs.Of(context).BodyCutAfter is not { } cutAfter)
        {
            await context.Response.WriteAsJsonAsync(reply, typeInfo, contentType: null, context.RequestAborted);
            return;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(reply, typeInfo);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, Math.Min(cutAfter, bytes.Length - 1)), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        // Longer than a stream cut's drain: the headers and the first bytes must reach the client before the abort, or it
        // reads a failure to answer, not an answer cut short.
        await Task.Delay(StreamedReplyWriter.CutBodyDrain, context.RequestAborted);
        context.Abort();
    }
}
