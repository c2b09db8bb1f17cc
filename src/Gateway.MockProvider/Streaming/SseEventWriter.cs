using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// Frames server-sent events (<c>[event: name\n]data: json\n\n</c>) straight into the response pipe,
/// flushing each one. <see cref="CorruptNext"/> makes the next event carry bytes no JSON writer would
/// produce, as real providers sometimes do.
/// </summary>
internal sealed class SseEventWriter(PipeWriter pipe) : IDisposable
{
    // Same relaxed escaping as the non-streamed bodies (see MockJsonContext.Relaxed).
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Utf8JsonWriter _json = new(pipe, Options);
    private byte[]? _corruption;

    // An event's blank line not written yet (WithholdBlankLine): it opens the next event.
    private bool _blankLineOwed;

    private static ReadOnlySpan<byte> EventPrefix => "event: "u8;

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> DoneLine => "data: [DONE]"u8;

    /// <summary>
    /// Each event from now on is written with its data line ended but without its blank line, which opens the next event:
    /// the last one never gets it (a provider that stops after its last line).
    /// </summary>
    public bool WithholdBlankLine { get; set; }

    /// <summary>Writes one event and flushes it, so the client sees it before the next one is produced.</summary>
    public Task WriteAsync(Action<Utf8JsonWriter> writeJson, CancellationToken cancellationToken) =>
        WriteAsync(eventName: null, writeJson, cancellationToken);

    /// <summary>Writes one event, preceded by an <c>event:</c> line when it has a name, and flushes it.</summary>
    public async Task WriteAsync(string? eventName, Action<Utf8JsonWriter> writeJson, CancellationToken cancellationToken)
    {
        PayBlankLine();
        if (eventName is not null)
        {
            pipe.Write(EventPrefix);
            pipe.Write(Encoding.UTF8.GetBytes(eventName));
            pipe.Write("\n"u8);
        }

        pipe.Write(DataPrefix);
        if (_corruption is { } corruption)
        {
            _corruption = null;
            WriteCorrupted(writeJson, corruption);
        }
        else
        {
            _json.Reset(pipe);
            writeJson(_json);
            _json.Flush();
        }

        WriteEventEnd();
        await pipe.FlushAsync(cancellationToken);
    }

    /// <summary>The <c>[DONE]</c> sentinel is left out: a stream whose every chunk came, usage included, then not its last line.</summary>
    public bool OmitDone { get; set; }

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        if (OmitDone)
        {
            await pipe.FlushAsync(cancellationToken);
            return;
        }

        PayBlankLine();
        pipe.Write(DoneLine);
        WriteEventEnd();
        await pipe.FlushAsync(cancellationToken);
    }

    private void WriteEventEnd()
    {
        pipe.Write(WithholdBlankLine ? EventEnd[..1] : EventEnd);
        _blankLineOwed = WithholdBlankLine;
    }

    private void PayBlankLine()
    {
        if (_blankLineOwed)
        {
            pipe.Write("\n"u8);
            _blankLineOwed = false;
        }
    }

    /// <summary>
    /// The <c>long-line</c> knob: one event whose data line carries <paramref name="padding"/> bytes of padding
    /// (<c>data: {"mock_padding":"xxx…"}</c>), written and flushed 16 KB at a time, as a runaway provider would.
    /// </summary>
    public async Task WriteLongLineAsync(int padding, CancellationToken cancellationToken)
    {
        const int Slice = 16 * 1024;
        pipe.Write("data: {\"mock_padding\":\""u8);
        for (var left = padding; left > 0; left -= Slice)
        {
            var size = Math.Min(left, Slice);
            pipe.GetSpan(size)[..size].Fill((byte)'x');
            pipe.Advance(size);
            if ((await pipe.FlushAsync(cancellationToken)).IsCompleted)
            {
                // The reader went away (a gateway that ended the stream): nothing more to send.
                return;
            }
        }

        pipe.Write("\"}"u8);
        pipe.Write(EventEnd);
        await pipe.FlushAsync(cancellationToken);
    }

    /// <summary>The <c>cut-mid-line</c> knob: the first half of a chunk's line, flushed, as a provider that dies mid-write leaves it.</summary>
    public async Task WriteHalfLineAsync(CancellationToken cancellationToken)
    {
        pipe.Write("data: {\"id\":\"mock-cut\",\"object\":\"chat.completion.chunk\",\"choi"u8);
        await pipe.FlushAsync(cancellationToken);
    }

    /// <summary>In the next event, the text <see cref="CorruptText.Marker"/> becomes these raw bytes.</summary>
    public void CorruptNext(byte[] replacement) => _corruption = replacement;

    public void Dispose() => _json.Dispose();

    private void WriteCorrupted(Action<Utf8JsonWriter> writeJson, byte[] replacement)
    {
        var scratch = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(scratch, Options))
        {
            writeJson(json);
        }

        var written = scratch.WrittenSpan;
        var marker = written.IndexOf(CorruptText.Marker);
        if (marker < 0)
        {
            pipe.Write(written);
            return;
        }

        pipe.Write(written[..marker]);
        pipe.Write(replacement);
        pipe.Write(written[(marker + CorruptText.Marker.Length)..]);
    }
}
