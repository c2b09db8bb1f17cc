using System.Buffers;
using System.Text.Json;

namespace LlmGateway.Sampling.Capture;

/// <summary>
/// Rebuilds the response one client received from the bytes captured for a sample: an SSE stream
/// (chat, completions or Responses API events) or a whole JSON body. It runs in the background
/// writer on a small share of requests, so it favours being right over being fast, but it reads the
/// captured span in place and allocates little beyond the strings it returns.
/// </summary>
internal static class ResponseReassembler
{
    private static ReadOnlySpan<byte> DataField => "data"u8;

    private static ReadOnlySpan<byte> Done => "[DONE]"u8;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <param name="contentType">The response Content-Type.</param>
    /// <param name="body">The captured bytes.</param>
    /// <param name="truncated">True when the capture stopped at its cap.</param>
    public static ReassembledResponse Reassemble(string? contentType, ReadOnlySpan<byte> body, bool truncated)
    {
        if (body.StartsWith(Utf8Bom))
        {
            body = body[Utf8Bom.Length..];
        }

        var accumulator = new ResponseAccumulator();
        switch (Classify(contentType, body))
        {
            case BodyKind.Json:
                var complete = ReadJson(body, truncated, accumulator);
                return accumulator.Build(streamed: false, complete, truncated);
            case BodyKind.EventStream:
                ReadEventStream(body, accumulator);
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

    /// <summary>Reads a whole JSON body; returns whether it parsed completely.</summary>
    private static bool ReadJson(ReadOnlySpan<byte> body, bool truncated, ResponseAccumulator accumulator)
    {
        if (TryValidate(body, isFinalBlock: true, out var problem))
        {
            Fold(body, accumulator);
            return true;
        }

        // A body cut at the cap is not malformed: only say so when the bytes we have are already wrong.
        if (!truncated || !TryValidate(body, isFinalBlock: false, out problem))
        {
            accumulator.Error ??= "unparseable JSON body: " + problem;
        }

        return false;
    }

    /// <summary>
    /// Splits the stream into events and folds each one in. The capture is the whole byte sequence,
    /// so lines are sliced in place; only an event with several data lines is copied, to join them.
    /// </summary>
    private static void ReadEventStream(ReadOnlySpan<byte> body, ResponseAccumulator accumulator)
    {
        ReadOnlySpan<byte> data = default;
        var dataLines = 0;
        ArrayBufferWriter<byte>? joined = null;

        while (!body.IsEmpty)
        {
            ReadOnlySpan<byte> line;
            var newline = body.IndexOf((byte)'\n');
            if (newline < 0)
            {
                line = body;
                body = default;
            }
            else
            {
                line = body[..newline];
                body = body[(newline + 1)..];
            }

            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                Dispatch(dataLines, data, joined, accumulator);
                dataLines = 0;
                continue;
            }

            // Only the "data" field matters; comments (":"), "event:", "id:" and "retry:" do not.
            if (!TryGetData(line, out var value))
            {
                continue;
            }

            if (dataLines == 0)
            {
                data = value;
            }
            else
            {
                joined ??= new ArrayBufferWriter<byte>();
                if (dataLines == 1)
                {
                    joined.ResetWrittenCount();
                    joined.Write(data);
                }

                joined.Write("\n"u8);
                joined.Write(value);
            }

            dataLines++;
        }

        // A stream cut before its blank line still ends with an event, usable if its JSON is whole.
        Dispatch(dataLines, data, joined, accumulator);
    }

    private static bool TryGetData(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!line.StartsWith(DataField))
        {
            return false;
        }

        var rest = line[DataField.Length..];
        if (rest.IsEmpty)
        {
            // A bare "data" line is the field with an empty value.
            return true;
        }

        if (rest[0] != (byte)':')
        {
            return false;
        }

        value = rest[1..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        return true;
    }

    private static void Dispatch(int dataLines, ReadOnlySpan<byte> data, ArrayBufferWriter<byte>? joined, ResponseAccumulator accumulator)
    {
        if (dataLines == 0)
        {
            return;
        }

        var payload = dataLines == 1 ? data : joined!.WrittenSpan;
        if (payload.Trim(" \t"u8).SequenceEqual(Done))
        {
            accumulator.SawEnd = true;
            return;
        }

        // Validated first so that a malformed or cut event is skipped whole, never applied in part.
        if (TryValidate(payload, isFinalBlock: true, out _))
        {
            Fold(payload, accumulator);
        }
    }

    private static void Fold(ReadOnlySpan<byte> json, ResponseAccumulator accumulator)
    {
        try
        {
            accumulator.Read(json);
        }
        catch (InvalidOperationException)
        {
            // Valid JSON whose id or model string is not valid UTF-16 (a lone surrogate escape):
            // what was read stays, the rest of this object is dropped rather than failing the sample.
        }
    }

    private static bool TryValidate(ReadOnlySpan<byte> json, bool isFinalBlock, out string? problem)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock, state: default);
        try
        {
            while (reader.Read())
            {
            }

            if (isFinalBlock && reader.BytesConsumed == 0)
            {
                problem = "empty";
                return false;
            }

            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            problem = e.Message;
            return false;
        }
    }
}
