using System.Text.Json;
using LlmGateway.OpenAi;

namespace LlmGateway.Sampling.Capture;

/// <summary>
/// Rebuilds the response one client received from the bytes captured for a sample: an SSE stream
/// (chat, completions or Responses API events) or a whole JSON body, read by the same
/// <see cref="OpenAiResponseReader"/> as the hot path, into a <see cref="ResponseAccumulator"/>. It runs
/// in the background writer on a small share of requests.
/// </summary>
internal static class ResponseReassembler
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <param name="contentType">The response Content-Type.</param>
    /// <param name="body">The captured bytes.</param>
    /// <param name="truncated">True when the capture stopped at its cap.</param>
    /// <param name="maxLineBytes">
    /// The cap on one line the hot path read the stream with (<see cref="Proxy.ProxyOptions.EffectiveMaxProviderLineBytes"/>):
    /// a line the client got whole is read whole here too.
    /// </param>
    public static ReassembledResponse Reassemble(string? contentType, ReadOnlySpan<byte> body, bool truncated, int maxLineBytes)
    {
        if (body.StartsWith(Utf8Bom))
        {
            body = body[Utf8Bom.Length..];
        }

        var accumulator = new ResponseAccumulator();
        using var reader = new OpenAiResponseReader(maxLineBytes, accumulator);
        switch (Classify(contentType, body))
        {
            case BodyKind.Json:
                var complete = (reader.ReadJson(body) & OpenAiEventFlags.Malformed) == 0;

                // A body cut at the cap is not malformed: only say so when the bytes we have are already wrong.
                if (!complete && (!truncated || !IsValidPrefix(body)))
                {
                    accumulator.Error ??= "unparseable JSON body: " + reader.LastProblem;
                }

                return accumulator.Build(streamed: false, complete, truncated);
            case BodyKind.EventStream:
                reader.AppendSse(body);
                reader.CompleteSse();
                return accumulator.Build(streamed: true, accumulator.SawEnd, truncated);
            default:
                return accumulator.Build(streamed: false, complete: false, truncated);
        }
    }

    private static BodyKind Classify(string? contentType, ReadOnlySpan<byte> body)
    {
        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return BodyKind.Json;
        }

        // An SSE stream cannot begin with "{": a body that does is JSON whatever its label says
        // (an upstream error answered to a streaming request, say).
        var start = body.TrimStart(" \t\r\n"u8);
        if (!start.IsEmpty && (start[0] == (byte)'{' || start[0] == (byte)'['))
        {
            return BodyKind.Json;
        }

        if (mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || start.StartsWith("data:"u8)
            || start.StartsWith(":"u8)
            || start.StartsWith("event:"u8))
        {
            return BodyKind.EventStream;
        }

        return BodyKind.Other;
    }

    /// <summary>Whether a body cut at the capture cap is well-formed as far as it goes (a tokenizer pass, not a read).</summary>
    private static bool IsValidPrefix(ReadOnlySpan<byte> json)
    {
        // As deep as the reader reads: a deep answer cut at the cap is no more malformed than a shallow one.
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(OpenAiEventReader.ReaderOptions));
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
