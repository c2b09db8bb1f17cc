using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Streaming;

/// <summary>
/// Sits in place of the response body feature (after ASP.NET's ResponseBufferingStream): every
/// write goes to the client first, then is observed — SSE through <see cref="SseUsageScanner"/>, a
/// JSON body copied (capped) for its <c>usage</c>. It holds nothing back, except, when the gateway
/// injected <c>include_usage</c>, the bytes of an SSE line until its newline, so the usage-only
/// chunk the client did not ask for can be dropped whole.
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
    private int _heldBeforeOverflow;

    private const int MaxHeldError = 64 * 1024;

    private readonly IReadOnlySet<int>? _retryableStatuses;
    private byte[]? _error;
    private int _errorLength;
    private bool _holdingError;
    private bool _decidedError;

    private byte[]? _sample;
    private int _sampleLength;
    private int _sampleLimit;

    private readonly bool _stripUsageChunk;
    private bool _holdJson;
    private byte[]? _pending;
    private int _pendingLength;

    /// <param name="holdJson">
    /// Hold a (capped) JSON body until the response ends, so its token counts can go in headers.
    /// Only for non-streamed responses: the client waits for the whole body anyway.
    /// </param>
    /// <param name="retryableStatuses">
    /// Provider statuses whose (small) body is held, headers unsent, so the attempt can be retried
    /// or another model tried without the client seeing it; <see cref="ReleaseErrorAsync"/> passes it on.
    /// </param>
    /// <param name="timer">Told of every response byte, so a stalled stream is noticed.</param>
    public ResponseTap(
        IHttpResponseBodyFeature inner,
        HttpResponse response,
        bool stripUsageChunk = false,
        bool holdJson = false,
        IReadOnlySet<int>? retryableStatuses = null,
        Resilience.AttemptTimer? timer = null)
    {
        _inner = inner;
        _response = response;
        _stripUsageChunk = stripUsageChunk;
        _holdJson = holdJson;
        _retryableStatuses = retryableStatuses;
        Timer = timer;
    }

    public Resilience.AttemptTimer? Timer { get; }

    /// <summary>True while a retryable error response is held back from the client.</summary>
    public bool IsHoldingError => _holdingError;

    /// <summary>Sends a held error response on (the final attempt failed the same way: the client gets it as is).</summary>
    public async Task ReleaseErrorAsync(CancellationToken cancellationToken)
    {
        if (!_holdingError)
        {
            return;
        }

        _holdingError = false;
        if (_errorLength > 0)
        {
            await _inner.Stream.WriteAsync(_error.AsMemory(0, _errorLength), cancellationToken);
        }
    }

    /// <summary>True once the provider's response showed itself (a write, or an explicit start).</summary>
    public bool SawResponse { get; private set; }

    /// <summary>Drops whatever this attempt held back (error, JSON body, a half line): it will not be sent.</summary>
    public void DiscardHeld()
    {
        _holdingError = false;
        _errorLength = 0;
        _holdJson = false;
        _jsonLength = 0;
        _pendingLength = 0;
        _sampleLength = 0;
        _mode = Mode.Other;
    }

    /// <summary>True while a JSON body is held back, headers unsent, for <see cref="ReleaseHeldAsync"/>.</summary>
    public bool IsHolding => _holdJson && _mode is Mode.Json or Mode.Undecided;

    /// <summary>Sends the held JSON body (after the caller added its headers). Safe to call when nothing is held.</summary>
    public async Task ReleaseHeldAsync(CancellationToken cancellationToken)
    {
        if (!IsHolding)
        {
            return;
        }

        _holdJson = false;
        if (_jsonLength > 0)
        {
            await _inner.Stream.WriteAsync(_json.AsMemory(0, _jsonLength), cancellationToken);
        }
    }

    private enum Mode
    {
        Undecided,
        Sse,
        Json,
        Other,
    }

    public SseUsageScanner Sse { get; } = new();

    /// <summary>True when the sample copy hit its cap and missed the rest of the body.</summary>
    public bool SampleTruncated { get; private set; }

    /// <summary>
    /// Copies the provider's response bytes (up to <paramref name="maxBytes"/>) for a sampled
    /// request. Only sampled requests pay for the copy.
    /// </summary>
    public void StartSampleCapture(int maxBytes)
    {
        _sampleLimit = maxBytes;
        _sample = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, 16 * 1024));
    }

    /// <summary>The bytes copied for the sample (empty unless <see cref="StartSampleCapture"/> was called).</summary>
    public byte[] TakeSampleBytes() => _sample is null ? [] : _sample.AsSpan(0, _sampleLength).ToArray();

    public bool IsSse => _mode == Mode.Sse;

    /// <summary>The captured JSON body (empty when not JSON, or larger than the cap).</summary>
    public ReadOnlySpan<byte> Json => _json is null ? [] : _json.AsSpan(0, _jsonLength);

    /// <summary>When forwarding began (the tap is created just before).</summary>
    public long StartTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

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

    // While a JSON body is held, starting the response would send the headers too early.
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        DecideError();
        return IsHolding || _holdingError ? Task.CompletedTask : _inner.StartAsync(cancellationToken);
    }

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
        Decide();
        Timer?.Activity();
        if (DecideError())
        {
            if (_errorLength + buffer.Length <= MaxHeldError)
            {
                HoldError(buffer.Span);
                if (_sample is not null)
                {
                    // A provider error passed through after the retries is sampled too.
                    CaptureSample(buffer.Span);
                }

                return;
            }

            // Too large for an error worth retrying: pass everything through from here on.
            await ReleaseErrorAsync(cancellationToken);
        }

        if (_sample is not null)
        {
            CaptureSample(buffer.Span);
        }

        if (_stripUsageChunk && _mode == Mode.Sse)
        {
            await WriteFilteredAsync(buffer, cancellationToken);
        }
        else if (IsHolding)
        {
            Capture(buffer.Span);
            if (_mode != Mode.Json)
            {
                // Over the cap: stop holding and send what was held, then pass through.
                _holdJson = false;
                await _inner.Stream.WriteAsync(_json.AsMemory(0, _heldBeforeOverflow), cancellationToken);
                await _inner.Stream.WriteAsync(buffer, cancellationToken);
            }

            return;
        }
        else
        {
            await _inner.Stream.WriteAsync(buffer, cancellationToken);
        }

        Observe(buffer.Span);
    }

    /// <summary>Sends a last line that never got its newline (a cut stream).</summary>
    public async Task FlushPendingAsync(CancellationToken cancellationToken)
    {
        if (_pendingLength == 0)
        {
            return;
        }

        try
        {
            await _inner.Stream.WriteAsync(_pending.AsMemory(0, _pendingLength), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client is gone; nothing left to deliver.
        }

        _pendingLength = 0;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => IsHolding || _holdingError ? Task.CompletedTask : _inner.Stream.FlushAsync(cancellationToken);

    public override void Flush()
    {
        if (!IsHolding && !_holdingError)
        {
            _inner.Stream.Flush();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Sse.Dispose();
            if (_pending is not null)
            {
                ArrayPool<byte>.Shared.Return(_pending);
                _pending = null;
            }

            if (_json is not null)
            {
                ArrayPool<byte>.Shared.Return(_json);
                _json = null;
            }

            if (_sample is not null)
            {
                ArrayPool<byte>.Shared.Return(_sample);
                _sample = null;
            }

            if (_error is not null)
            {
                ArrayPool<byte>.Shared.Return(_error);
                _error = null;
            }
        }

        base.Dispose(disposing);
    }

    private void Decide()
    {
        if (_mode == Mode.Undecided)
        {
            var type = _response.ContentType ?? "";
            _mode = type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) ? Mode.Sse
                : type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ? Mode.Json
                : Mode.Other;
        }
    }

    /// <summary>Writes the complete lines of pending + buffer, minus usage-only chunks; keeps the partial tail.</summary>
    private async ValueTask WriteFilteredAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var span = buffer.Span;
        var lastNewline = span.LastIndexOf((byte)'\n');
        if (lastNewline < 0)
        {
            Pend(span);
            return;
        }

        // Complete lines: whatever was pending, then the buffer up to its last newline.
        var complete = _pendingLength + lastNewline + 1;
        var lines = ArrayPool<byte>.Shared.Rent(complete);
        try
        {
            _pending?.AsSpan(0, _pendingLength).CopyTo(lines);
            span[..(lastNewline + 1)].CopyTo(lines.AsSpan(_pendingLength));
            _pendingLength = 0;
            Pend(span[(lastNewline + 1)..]);

            var output = 0;
            var start = 0;
            while (start < complete)
            {
                var end = lines.AsSpan(start, complete - start).IndexOf((byte)'\n') + start + 1;
                var line = lines.AsSpan(start, end - start);
                if (!UsageOnlyChunk.Is(line))
                {
                    line.CopyTo(lines.AsSpan(output));
                    output += line.Length;
                }

                start = end;
            }

            if (output > 0)
            {
                await _inner.Stream.WriteAsync(lines.AsMemory(0, output), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(lines);
        }
    }

    private void Pend(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        Append(ref _pending, ref _pendingLength, bytes, 1024);
    }

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        Decide();

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
            _heldBeforeOverflow = _jsonLength;
            _jsonLength = 0;
            return;
        }

        Append(ref _json, ref _jsonLength, bytes, 2048);
    }

    private void CaptureSample(ReadOnlySpan<byte> bytes)
    {
        var room = _sampleLimit - _sampleLength;
        if (bytes.Length > room)
        {
            SampleTruncated = true;
            bytes = bytes[..room];
        }

        if (bytes.IsEmpty)
        {
            return;
        }

        Append(ref _sample, ref _sampleLength, bytes, 1024);
    }

    /// <summary>Decided once, when the response first shows itself: is it an error worth holding?</summary>
    private bool DecideError()
    {
        SawResponse = true;
        if (!_decidedError)
        {
            _decidedError = true;
            _holdingError = _retryableStatuses?.Contains(_response.StatusCode) == true;
        }

        return _holdingError;
    }

    private void HoldError(ReadOnlySpan<byte> bytes) => Append(ref _error, ref _errorLength, bytes, 1024);

    /// <summary>Appends to one of the tap's pooled buffers, renting one twice as large when it is full.</summary>
    private static void Append(ref byte[]? buffer, ref int length, ReadOnlySpan<byte> bytes, int minimumSize)
    {
        if (buffer is null || length + bytes.Length > buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length + bytes.Length, Math.Max(minimumSize, (buffer?.Length ?? 0) * 2)));
            buffer?.AsSpan(0, length).CopyTo(bigger);
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = bigger;
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }
}
