using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Streaming;

/// <summary>
/// Sits in place of the response body feature (after ASP.NET's ResponseBufferingStream): every
/// write goes to the client first, then is observed — SSE through <see cref="SseUsageScanner"/>, a
/// JSON body copied (capped) for its <c>usage</c>. It never holds a byte back.
/// </summary>
internal sealed class ResponseTap : Stream, IHttpResponseBodyFeature
{
    private const int MaxJsonCapture = 4 * 1024 * 1024;

    private readonly IHttpResponseBodyFeature _inner;
    private readonly HttpResponse _response;
    private PipeWriter? _writer;
    private Mode _mode;
    private byte[]? _json;
    private int _jsonLength;

    public ResponseTap(IHttpResponseBodyFeature inner, HttpResponse response)
    {
        _inner = inner;
        _response = response;
    }

    private enum Mode
    {
        Undecided,
        Sse,
        Json,
        Other,
    }

    public SseUsageScanner Sse { get; } = new();

    public bool IsSse => _mode == Mode.Sse;

    /// <summary>The captured JSON body (empty when not JSON, or larger than the cap).</summary>
    public ReadOnlySpan<byte> Json => _json is null ? [] : _json.AsSpan(0, _jsonLength);

    /// <summary>When the first generated text reached the client (time to first token).</summary>
    public long? FirstTextTimestamp { get; private set; }

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Writes straight to the client, bypassing observation (the gateway's own trailer).</summary>
    public async Task WriteToClientAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _inner.Stream.WriteAsync(bytes, cancellationToken);
        await _inner.Stream.FlushAsync(cancellationToken);
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }

        await _inner.CompleteAsync();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.Stream.WriteAsync(buffer, cancellationToken);
        Observe(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _inner.Stream.Write(buffer, offset, count);
        Observe(buffer.AsSpan(offset, count));
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.Stream.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Stream.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Sse.Dispose();
            if (_json is not null)
            {
                ArrayPool<byte>.Shared.Return(_json);
                _json = null;
            }
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        if (_mode == Mode.Undecided)
        {
            var type = _response.ContentType ?? "";
            _mode = type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) ? Mode.Sse
                : type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ? Mode.Json
                : Mode.Other;
        }

        switch (_mode)
        {
            case Mode.Sse:
                var before = Sse.TextLength;
                Sse.Append(bytes);
                if (FirstTextTimestamp is null && Sse.TextLength > before)
                {
                    FirstTextTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
                }

                break;
            case Mode.Json:
                Capture(bytes);
                break;
        }
    }

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (_jsonLength + bytes.Length > MaxJsonCapture)
        {
            // Too large to be worth it: usage is then estimated.
            _mode = Mode.Other;
            _jsonLength = 0;
            return;
        }

        if (_json is null || _jsonLength + bytes.Length > _json.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_jsonLength + bytes.Length, (_json?.Length ?? 2048) * 2));
            _json?.AsSpan(0, _jsonLength).CopyTo(bigger);
            if (_json is not null)
            {
                ArrayPool<byte>.Shared.Return(_json);
            }

            _json = bigger;
        }

        bytes.CopyTo(_json.AsSpan(_jsonLength));
        _jsonLength += bytes.Length;
    }
}
