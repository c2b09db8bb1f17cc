using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>Frames server-sent events (<c>data: json\n\n</c>) straight into the response pipe, flushing each one.</summary>
internal sealed class SseEventWriter(PipeWriter pipe) : IDisposable
{
    // Same relaxed escaping as the non-streamed bodies (see MockJsonContext.Relaxed).
    private readonly Utf8JsonWriter _json = new(pipe, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> DoneEvent => "data: [DONE]\n\n"u8;

    /// <summary>Writes one event and flushes it, so the client sees it before the next one is produced.</summary>
    public async Task WriteAsync(Action<Utf8JsonWriter> writeJson, CancellationToken cancellationToken)
    {
        Frame(writeJson);
        await pipe.FlushAsync(cancellationToken);
    }

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        pipe.Write(DoneEvent);
        await pipe.FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();

    private void Frame(Action<Utf8JsonWriter> writeJson)
    {
        pipe.Write(DataPrefix);
        _json.Reset(pipe);
        writeJson(_json);
        _json.Flush();
        pipe.Write(EventEnd);
    }
}
