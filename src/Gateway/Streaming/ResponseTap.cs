using System.IO.Pipelines;
using LlmGateway.OpenAi;
using LlmGateway.Proxy;
using LlmGateway.Resilience;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.ObjectPool;

namespace LlmGateway.Streaming;

/// <summary>
/// Sits in place of the response body feature while YARP forwards one attempt: every write goes to
/// the client first, then to the <see cref="OpenAiResponseReader"/>, whose observers gather the usage
/// (<see cref="Usage"/>) and, when the gateway injected <c>include_usage</c>, find the usage-only chunk
/// (<see cref="UsageChunkFilter"/>). A hold gate keeps bytes back only where it must: a retryable
/// error response (until it is known to be the last), a non-streamed JSON body (until its usage is in
/// the headers), and, while stripping, an SSE event until it is known not to be the usage chunk.
/// All of it lives in one pooled buffer; a sampled request's bytes are also copied, capped. A provider line longer
/// than <see cref="ProxyOptions.EffectiveMaxProviderLineBytes"/> ends the stream: the write fails (so YARP stops copying and
/// the attempt ends interrupted, <see cref="LineCapExceeded"/>), and the completion writes the SSE error event.
/// </summary>
internal sealed class ResponseTap : Stream, IHttpResponseBodyFeature
{
    private const int MaxHeldError = 64 * 1024;
    private const int MaxJsonCapture = 4 * 1024 * 1024;

    /// <summary>
    /// While stripping, the most bytes of one unfinished event held back: a usage-only chunk is well under 1 KB, so
    /// an event past this is not one, and holding it longer would only delay the client (or hold a hostile
    /// provider's endless event in memory).
    /// </summary>
    private const int MaxHeldEvent = 64 * 1024;

    // Taps of attempts that ended, with their readers, kept for the next attempts (Rent): the tap and what reads its
    // response are most of a kilobyte per request otherwise.
    private static readonly ObjectPool<ResponseTap> SharedPool = CreatePool(1024);

    private IHttpResponseBodyFeature _inner;
    private HttpResponse _response;
    private IReadOnlySet<int>? _retryableStatuses;
    private bool _stripUsageChunk;
    private int _maxLineBytes;

    // The pool a rented tap goes back to, and 1 while it serves an attempt: it goes back once, however often disposed.
    private readonly ObjectPool<ResponseTap>? _pool;
    private int _rented;

    // Held bytes (an error, a JSON body, an undecided SSE event), or a JSON body kept to be read.
    private readonly PooledArray<byte> _body = new();
    private readonly PooledArray<byte> _sampleBuffer = new();

    // The last bytes of a JSON body past MaxJsonCapture (JsonTailUsage reads its usage there).
    private readonly PooledArray<byte> _tail = new();
    private PooledArray<byte>? _sample;
    private int _sampleLimit;
    private OpenAiResponseReader? _reader;

    // A JSON body past the capture cap: its call items, found as it passes (only its end is kept).
    private JsonCallItemScanner? _callItems;
    private UsageChunkFilter? _filter;

    // Made on first use and kept with the tap: a reader for responses read as they are, and one that also finds the
    // usage-only chunk (with its filter).
    private OpenAiResponseReader? _plainReader;
    private OpenAiResponseReader? _strippingReader;
    private UsageChunkFilter? _strippingFilter;
    private PipeWriter? _writer;
    private TapMode _mode;
    private TapGate _gate;
    private bool _holdJson;
    private bool _completed;

    // The JSON body kept whole was no JSON object the reader could read: nothing of what it generated is known.
    private bool _jsonUnparsed;

    // While stripping: the stream offset up to which every byte has been sent or dropped.
    private long _decided;

    // A write to the client failed while stripping: the held state is no longer consistent with what was sent.
    private bool _broken;

    // A dropped event ended on a CR at the end of a read: the framer ended the event there, and counts the LF that
    // completes that CRLF, if the next read brings it, as between events. It belongs to the dropped event: not sent.
    private bool _dropLineFeed;

    // While stripping: the start of an unfinished event already sent on (it cannot be the usage chunk), whose
    // remaining bytes pass straight through.
    private long? _passThroughEvent;

    /// <param name="stripUsageChunk">The gateway asked for <c>include_usage</c>, the client did not: drop the usage-only chunk.</param>
    /// <param name="holdJson">
    /// Hold a (capped) JSON body until the response ends, so its token counts can go in headers.
    /// Only for non-streamed responses: the client waits for the whole body anyway.
    /// </param>
    /// <param name="retryableStatuses">
    /// Provider statuses whose (small) body is held, headers unsent, so the attempt can be retried
    /// or another model tried without the client seeing it; <see cref="ReleaseErrorAsync"/> passes it on.
    /// </param>
    /// <param name="timer">Told of every response byte, so a stalled stream is noticed.</param>
    /// <param name="maxLineBytes">
    /// The cap on one provider line (<see cref="ProxyOptions.EffectiveMaxProviderLineBytes"/>); unset, the configured default. Given, not
    /// looked up in the request's services: that would make a service scope per request.
    /// </param>
    public ResponseTap(
        IHttpResponseBodyFeature inner,
        HttpResponse response,
        bool stripUsageChunk = false,
        bool holdJson = false,
        IReadOnlySet<int>? retryableStatuses = null,
        AttemptTimer? timer = null,
        int? maxLineBytes = null)
        : this(pool: null)
    {
        Start(inner, response, stripUsageChunk, holdJson, retryableStatuses, timer, maxLineBytes);
    }

    private ResponseTap(ObjectPool<ResponseTap>? pool)
    {
        _pool = pool;
        _inner = null!;
        _response = null!;
    }

    /// <summary>
    /// A tap as the constructor makes it, taken from the pool when one is there. Dispose gives it back: nothing may use
    /// it (or its <see cref="Usage"/> and <see cref="Reader"/>) after that.
    /// </summary>
    /// <param name="pool">Where it comes from and goes back to; unset, the one all attempts share.</param>
    public static ResponseTap Rent(
        IHttpResponseBodyFeature inner,
        HttpResponse response,
        bool stripUsageChunk,
        bool holdJson,
        IReadOnlySet<int>? retryableStatuses,
        AttemptTimer? timer,
        int maxLineBytes,
        ObjectPool<ResponseTap>? pool = null)
    {
        var tap = (pool ?? SharedPool).Get();
        tap._rented = 1;
        tap.Start(inner, response, stripUsageChunk, holdJson, retryableStatuses, timer, maxLineBytes);
        return tap;
    }

    /// <summary>A pool of taps (at most <paramref name="capacity"/> kept), each of which goes back to it when disposed.</summary>
    public static ObjectPool<ResponseTap> CreatePool(int capacity)
    {
        var policy = new TapPolicy();
        var pool = new DefaultObjectPool<ResponseTap>(policy, capacity);
        policy.Pool = pool;
        return pool;
    }

    /// <summary>Everything an attempt's tap begins with; for a pooled tap, everything the previous attempt left is forgotten.</summary>
    private void Start(
        IHttpResponseBodyFeature inner, HttpResponse response, bool stripUsageChunk, bool holdJson, IReadOnlySet<int>? retryableStatuses, AttemptTimer? timer, int? maxLineBytes)
    {
        _inner = inner;
        _response = response;
        _stripUsageChunk = stripUsageChunk;
        _holdJson = holdJson;
        _retryableStatuses = retryableStatuses;
        _maxLineBytes = maxLineBytes ?? ProxyOptions.DefaultMaxProviderLineBytes;
        Timer = timer;
        StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        _body.Clear();
        _tail.Clear();
        _callItems = null;
        _sample = null;
        _sampleLimit = 0;
        _reader = null;
        _filter = null;
        _writer = null;
        _mode = TapMode.Undecided;
        _gate = TapGate.Undecided;
        _completed = false;
        _jsonUnparsed = false;
        _decided = 0;
        _broken = false;
        _passThroughEvent = null;
        SawResponse = false;
        ProviderStatus = 0;
        EndsMidLine = false;
        LineCapExceeded = false;
        SampleTruncated = false;
        ContentEncoding = null;
        Usage.Restart();
        // Each kept reader was made with the cap of the attempt that made it: another cap needs a new one.
        if (_plainReader is not null && _plainReader.MaxLineBytes != _maxLineBytes)
        {
            _plainReader = null;
        }

        if (_strippingReader is not null && _strippingReader.MaxLineBytes != _maxLineBytes)
        {
            _strippingReader = null;
        }
    }

    public AttemptTimer? Timer { get; private set; }

    /// <summary>What the response said about its usage, model and text (filled as it is read).</summary>
    public UsageObserver Usage { get; } = new();

    /// <summary>The reader of this response (null unless it is SSE or JSON): its counts of unreadable events.</summary>
    public OpenAiResponseReader? Reader => _reader;

    /// <summary>True once the provider's response showed itself (a write, or an explicit start).</summary>
    public bool SawResponse { get; private set; }

    /// <summary>
    /// The status the provider answered with, as it first showed itself: YARP replaces the response's own (502, headers
    /// cleared) when the body then fails before any byte reached the client, as it does for a held answer.
    /// </summary>
    public int ProviderStatus { get; private set; }

    /// <summary>
    /// The provider's stream said it is over (<see cref="OpenAiResponseReader.SawEnd"/>, the <c>include_usage</c> chunk
    /// included): whatever happens to the connection after, the client has the answer. Its last event counts once its
    /// lines are whole, before its blank line (a provider may stall or break just before it).
    /// </summary>
    public bool StreamEnded => _reader is { } reader && (reader.SawEnd || reader.EndPending);

    /// <summary>True while a retryable error response is held back from the client.</summary>
    public bool IsHoldingError => _gate == TapGate.HoldError;

    /// <summary>True while a JSON body is held back, headers unsent, for <see cref="ReleaseHeldAsync"/>.</summary>
    public bool IsHolding => _gate == TapGate.HoldJson || (_gate == TapGate.Undecided && _holdJson);

    public bool IsSse => _mode == TapMode.Sse;

    /// <summary>The provider's content coding (gzip, br…) when it encoded the body: then nothing of it is read.</summary>
    public string? ContentEncoding { get; private set; }

    /// <summary>The provider sent a line longer than the cap: the stream was ended there (and is billed as cut).</summary>
    public bool LineCapExceeded { get; private set; }

    /// <summary>True when the sample copy hit its cap and missed the rest of the body.</summary>
    public bool SampleTruncated { get; private set; }

    /// <summary>When forwarding began (the tap is created just before).</summary>
    public long StartTimestamp { get; private set; }

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Sends a held error response on (the final attempt failed the same way: the client gets it as is).</summary>
    public async Task ReleaseErrorAsync(CancellationToken cancellationToken)
    {
        if (_gate != TapGate.HoldError)
        {
            return;
        }

        _gate = TapGate.Open;
        if (_body.Length > 0)
        {
            await WriteThroughAsync(_body.WrittenMemory, cancellationToken);
        }

        _body.Clear();
    }

    /// <summary>
    /// Keeps a held error as the answer, held like a JSON body (<see cref="IsHolding"/>) instead of sent on at once:
    /// the caller's headers go on it first (the bill of attempts before it), then <see cref="ReleaseHeldAsync"/> sends it.
    /// </summary>
    public void KeepErrorAsAnswer()
    {
        if (_gate == TapGate.HoldError)
        {
            _gate = TapGate.HoldJson;
            // Its bytes go out as they were held: not an answer to read, nor an event stream whose end flushes (and
            // clears) the held bytes, which would leave the client a bare status.
            _mode = TapMode.Other;
        }
    }

    /// <summary>Sends the held JSON body (after the caller added its headers). Safe to call when nothing is held.</summary>
    public async Task ReleaseHeldAsync(CancellationToken cancellationToken)
    {
        if (!IsHolding)
        {
            return;
        }

        _holdJson = false;
        _gate = TapGate.Open;
        if (!_response.HasStarted && _response.ContentLength is null && _response.StatusCode is >= 200 and not 204 and not 304)
        {
            // The whole body is here: with its length Kestrel sends headers and body in one write, with no chunk framing
            // and no terminating chunk written on completion (one send fewer per request).
            _response.ContentLength = _body.Length;
        }

        if (_body.Length > 0)
        {
            await WriteThroughAsync(_body.WrittenMemory, cancellationToken);
        }
    }

    /// <summary>Drops whatever this attempt held back (error, JSON body, an undecided event): it will not be sent.</summary>
    public void DiscardHeld()
    {
        _holdJson = false;
        _gate = TapGate.Open;
        _mode = TapMode.Other;
        _body.Clear();
        _sample?.Clear();
        _filter?.Clear();
    }

    /// <summary>
    /// Copies the provider's response bytes (up to <paramref name="maxBytes"/>) for a sampled
    /// request. Only sampled requests pay for the copy.
    /// </summary>
    public void StartSampleCapture(int maxBytes)
    {
        _sampleLimit = maxBytes;
        _sample = _sampleBuffer;
        _sample.Clear();
    }

    /// <summary>The bytes copied for the sample (empty unless <see cref="StartSampleCapture"/> was called).</summary>
    public byte[] TakeSampleBytes() => _sample is null ? [] : _sample.WrittenSpan.ToArray();

    /// <summary>Finishes reading: an SSE event cut before its blank line, or the kept JSON body. Idempotent.</summary>
    public void Complete()
    {
        if (_completed || _reader is null)
        {
            return;
        }

        _completed = true;
        if (_mode == TapMode.Sse)
        {
            _reader.CompleteSse();
        }
        else if (_mode == TapMode.Json && _body.Length > 0)
        {
            _jsonUnparsed = (_reader.ReadJson(_body.WrittenSpan) & OpenAiEventFlags.Malformed) != 0;
        }
        else if (_mode == TapMode.JsonTail)
        {
            JsonTailUsage.TryRead(_tail.WrittenSpan, _reader, _callItems?.Calls);
        }
    }

    /// <summary>
    /// The answer went to the client without the gateway reading what it generated: a body it does not read (another
    /// content type, a content coding), a JSON body it could not parse, or a JSON body past the cap whose end held no
    /// usage. It cannot be estimated.
    /// </summary>
    public bool Unread => _mode == TapMode.Other || (_mode == TapMode.Json && _jsonUnparsed) || (_mode == TapMode.JsonTail && Usage.Usage is null);

    /// <summary>Sends what the stripping still held when the stream ended (a stream's last line) and finishes reading.</summary>
    /// <param name="cut">
    /// The provider cut or stalled the stream: a held line it never finished, and that does not read as a whole event, is
    /// dropped, not sent. The client never had a byte of it, and the error event that follows opens with a blank line,
    /// which would hand the client half an event (JSON cut short) before the error. A whole line cut just before its
    /// line feed reads as an event (and is billed): it goes out, and the blank line ends it.
    /// </param>
    public async Task FlushPendingAsync(bool cut, CancellationToken cancellationToken)
    {
        if (_mode != TapMode.Sse)
        {
            return;
        }

        var unreadable = _reader?.MalformedEvents ?? 0;
        Complete();
        var halfLine = cut && _body.Length > 0 && _body.WrittenSpan[^1] is not ((byte)'\n' or (byte)'\r') && (_reader?.MalformedEvents ?? 0) > unreadable;
        if (_filter is null || _broken || halfLine)
        {
            // Nothing to strip, the client is already gone mid-write, or a cut stream's unfinished line: nothing to deliver.
            _filter?.Clear();
            _body.Clear();
            return;
        }

        try
        {
            await SendDecidedAsync(ReadOnlyMemory<byte>.Empty, _reader!.Position, _reader.Position, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client is gone; nothing left to deliver.
        }

        _body.Clear();
    }

    /// <summary>
    /// True when the last byte the client got is not a line feed: a provider's stream that ended mid-line (its last
    /// <c>data: [DONE]</c> without a newline). A trailer written then must end that line first, or it would be glued to it.
    /// </summary>
    public bool EndsMidLine { get; private set; }

    // Every byte to the client goes through here, so the end of the last line is known for the trailer.
    private ValueTask WriteThroughAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (!bytes.IsEmpty)
        {
            EndsMidLine = bytes.Span[^1] is not ((byte)'\n' or (byte)'\r');
        }

        return _inner.Stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>Writes straight to the client, bypassing observation (the gateway's own trailer).</summary>
    public async Task WriteToClientAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await WriteThroughAsync(bytes, cancellationToken);
        await _inner.Stream.FlushAsync(cancellationToken);
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    // While a body is held, starting the response would send the headers too early.
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        Decide();
        return IsHeld ? Task.CompletedTask : _inner.StartAsync(cancellationToken);
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
        if (LineCapExceeded)
        {
            // The stream was ended: nothing more of it is read or sent.
            throw LineTooLong();
        }

        Decide();

        // The provider delivered: while the client takes it, only the total timeout runs (a slow reader is not a
        // stalled provider); the idle timeout starts again once it has.
        Timer?.Writing();
        try
        {
            if (_sample is not null)
            {
                // A provider error passed through after the retries is sampled too.
                CaptureSample(buffer.Span);
            }

            switch (_gate)
            {
                case TapGate.HoldError when _body.Length + buffer.Length <= MaxHeldError:
                case TapGate.HoldJson when _body.Length + buffer.Length <= MaxJsonCapture:
                    _body.Append(buffer.Span);
                    return;
                case TapGate.HoldError when ProviderStatus is StatusCodes.Status401Unauthorized or StatusCodes.Status429TooManyRequests:
                    // Never sent on: the gateway answers these in its own words. The rest of the body is dropped.
                    return;
                case TapGate.HoldError:
                    // Too large for an error worth retrying: pass everything through from here on.
                    await ReleaseErrorAsync(cancellationToken);
                    break;
                case TapGate.HoldJson:
                    // Over the cap: send what was held, then pass through, keeping only the body's end for its usage.
                    _gate = TapGate.Open;
                    await WriteThroughAsync(_body.WrittenMemory, cancellationToken);
                    KeepTailOnly();
                    break;
            }

            if (_filter is not null && _mode == TapMode.Sse)
            {
                var start = _reader!.Position;
                _reader.AppendSse(buffer.Span);
                var pending = _reader.PendingEventStart;
                var decidedEnd = pending is { } begun && begun != _passThroughEvent ? begun : _reader.Position;
                await SendDecidedAsync(buffer, start, decidedEnd, cancellationToken);
                if (_body.Length > 0 && !MayBeUsageOnlyEvent(_body.WrittenSpan))
                {
                    // Not a single short line: not the usage-only chunk, so nothing to drop; send it on now.
                    _passThroughEvent = pending;
                    await ReleaseHeldEventAsync(cancellationToken);
                }

                await EndIfOverflowedAsync(cancellationToken);
                return;
            }

            await WriteThroughAsync(buffer, cancellationToken);
            Observe(buffer.Span);
            await EndIfOverflowedAsync(cancellationToken);
        }
        finally
        {
            Timer?.Activity();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    // A flush before the first write (the status and headers are set by then) decides as a write would: flushing an
    // undecided retryable error to the client would start the response and make the attempt impossible to retry.
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Decide();
        return IsHeld ? Task.CompletedTask : FlushToClientAsync(cancellationToken);
    }

    private Task FlushToClientAsync(CancellationToken cancellationToken)
    {
        // YARP flushes after every read of a stream, right after the write that re-armed the idle timer. A flush that
        // completes at once (no backpressure) leaves the timer as it was: two timer moves fewer per chunk.
        var flush = _inner.Stream.FlushAsync(cancellationToken);
        return flush.IsCompleted ? flush : AwaitClientFlushAsync(flush);
    }

    // A flush waiting on the client's backpressure, as a write does: only the total timeout runs until it is done.
    private async Task AwaitClientFlushAsync(Task flush)
    {
        Timer?.Writing();
        try
        {
            await flush;
        }
        finally
        {
            Timer?.Activity();
        }
    }

    public override void Flush()
    {
        Decide();
        if (!IsHeld)
        {
            _inner.Stream.Flush();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // A rented tap is given up once: a second Dispose must not free buffers a later attempt may be using by then.
        if (disposing && (_pool is null || Interlocked.Exchange(ref _rented, 0) == 1))
        {
            _body.Dispose();
            _tail.Dispose();
            _sampleBuffer.Dispose();
            _reader?.Dispose();
            Usage.Dispose();
            if (_pool is not null)
            {
                // Nothing of the attempt is kept alive by the pool (the provider's strings included): the next Rent
                // starts everything again.
                Usage.Restart();
                ContentEncoding = null;
                _reader?.Restart();
                _inner = null!;
                _response = null!;
                _retryableStatuses = null;
                Timer = null;
                _reader = null;
                _filter = null;
                _writer = null;
                _pool.Return(this);
            }
        }

        base.Dispose(disposing);
    }

    private bool IsHeld => _gate is TapGate.HoldError or TapGate.HoldJson;

    /// <summary>Decided once, when the response first shows itself: what it is, and whether it is held.</summary>
    private void Decide()
    {
        SawResponse = true;
        if (_gate != TapGate.Undecided)
        {
            return;
        }

        ProviderStatus = _response.StatusCode;

        var type = _response.ContentType ?? "";
        ContentEncoding = EncodingOf(_response.Headers.ContentEncoding);
        _mode = ContentEncoding is not null ? TapMode.Other
            : type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) ? TapMode.Sse
            : type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ? TapMode.Json
            : TapMode.Other;
        if (ContentEncoding is not null)
        {
            // The gateway asks for identity (ProviderRequestTransform), yet a provider may compress anyway: its bytes
            // pass through untouched and unread (nothing appended to them, billed at the request's output bound), and a
            // sample of them would only be read as garbage.
            _sample = null;
        }

        // A provider's 401 and 429 are held too, retried or not: the gateway answers them in its own words (its
        // credentials refused; its account's limits, which the provider's text names).
        _gate = _retryableStatuses?.Contains(_response.StatusCode) == true
            || _response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status429TooManyRequests ? TapGate.HoldError
            : _holdJson && _mode == TapMode.Json ? TapGate.HoldJson
            : TapGate.Open;
        if (_mode == TapMode.Sse && !_response.HasStarted)
        {
            // The gateway ends every stream it reads with its usage comment (and may strip the usage chunk it asked
            // for): a length the provider declared (a buffering front end sends one) cannot hold. Kestrel then frames
            // the body itself; with the length kept, the appended comment failed the write past it.
            _response.ContentLength = null;
        }

        if (_mode == TapMode.Sse && _stripUsageChunk)
        {
            _filter = _strippingFilter ??= new UsageChunkFilter();
            _filter.Clear();
            _reader = Restarted(ref _strippingReader, _filter);
        }
        else if (_mode is TapMode.Sse or TapMode.Json)
        {
            _reader = Restarted(ref _plainReader, null);
        }
    }

    /// <summary>A content coding other than identity, or null.</summary>
    private static string? EncodingOf(Microsoft.Extensions.Primitives.StringValues header)
    {
        foreach (var value in header)
        {
            foreach (var coding in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    return coding;
                }
            }
        }

        return null;
    }

    /// <summary>A reader for this response: the one kept from an earlier attempt, restarted, or a new one.</summary>
    private OpenAiResponseReader Restarted(ref OpenAiResponseReader? kept, UsageChunkFilter? filter)
    {
        if (kept is null)
        {
            kept = filter is null ? new OpenAiResponseReader(_maxLineBytes, Usage) : new OpenAiResponseReader(_maxLineBytes, Usage, filter);
        }
        else
        {
            kept.Restart();
        }

        return kept;
    }

    /// <summary>
    /// The provider sent a line past the cap: nothing more of this stream is read, held or sent. The response is
    /// started (so the attempt counts as begun, never retried), then the write fails: YARP stops copying and ends the
    /// attempt, and the completion sends the SSE error event after what the client already has.
    /// </summary>
    private async ValueTask EndIfOverflowedAsync(CancellationToken cancellationToken)
    {
        if (_reader is not { Overflowed: true })
        {
            return;
        }

        LineCapExceeded = true;
        if (!_response.HasStarted)
        {
            await _inner.StartAsync(cancellationToken);
        }

        throw LineTooLong();
    }

    private static IOException LineTooLong() =>
        new("The provider sent a line longer than the gateway's limit (Gateway:Proxy:MaxProviderLineBytes); the stream was ended.");

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        if (_mode == TapMode.Sse)
        {
            _reader!.AppendSse(bytes);
        }
        else if (_mode == TapMode.Json)
        {
            if (_body.Length + bytes.Length > MaxJsonCapture)
            {
                // Too large to keep whole: from here on only its end is kept, where its usage is.
                KeepTailOnly();
                AppendTail(bytes);
                return;
            }

            _body.Append(bytes);
        }
        else if (_mode == TapMode.JsonTail)
        {
            AppendTail(bytes);
        }
    }

    /// <summary>The JSON body is past the cap: keep only its last bytes (and what comes after them).</summary>
    private void KeepTailOnly()
    {
        _mode = TapMode.JsonTail;
        _tail.Clear();
        _callItems = new JsonCallItemScanner();
        AppendTail(_body.WrittenSpan);
        _body.Clear();
    }

    private void AppendTail(ReadOnlySpan<byte> bytes)
    {
        _callItems?.Append(bytes);
        if (bytes.Length >= JsonTailUsage.TailBytes)
        {
            _tail.Clear();
            _tail.Append(bytes[^JsonTailUsage.TailBytes..]);
            return;
        }

        _tail.Append(bytes);
        if (_tail.Length > 2 * JsonTailUsage.TailBytes)
        {
            // Trimmed in batches: each byte is moved at most once per TailBytes appended.
            _tail.RemovePrefix(_tail.Length - JsonTailUsage.TailBytes);
        }
    }

    /// <summary>
    /// Stripping: sends the bytes now decided (up to <paramref name="decidedEnd"/>), held ones first,
    /// minus the usage-only events; holds the rest of <paramref name="buffer"/> (an event not yet ended).
    /// </summary>
    private async ValueTask SendDecidedAsync(ReadOnlyMemory<byte> buffer, long bufferStart, long decidedEnd, CancellationToken cancellationToken)
    {
        // Held bytes run from _decided to bufferStart; when there are none, the buffer is sent in place.
        var inPlace = _body.Length == 0;
        if (!inPlace)
        {
            _body.Append(buffer.Span);
        }

        var source = inPlace ? buffer : _body.WrittenMemory;
        var sourceStart = _decided;
        var from = _decided;
        if (_dropLineFeed && decidedEnd > from)
        {
            _dropLineFeed = false;
            if (source.Span[0] == (byte)'\n')
            {
                from++;
            }
        }

        try
        {
            foreach (var (start, end) in _filter!.Drops)
            {
                // An event already partly sent on is never dropped (it was not the short usage chunk anyway).
                if (start < sourceStart)
                {
                    continue;
                }

                if (start > from)
                {
                    await WriteThroughAsync(source.Slice((int)(from - sourceStart), (int)(start - from)), cancellationToken);
                }

                from = Math.Max(from, end);
                _dropLineFeed = end == sourceStart + source.Length && source.Span[(int)(end - 1 - sourceStart)] == (byte)'\r';
            }

            _filter.Clear();
            if (decidedEnd > from)
            {
                await WriteThroughAsync(source.Slice((int)(from - sourceStart), (int)(decidedEnd - from)), cancellationToken);
            }
        }
        catch
        {
            // The client went away mid-write: the positions below would no longer match what was sent, so mark the
            // tap broken (FlushPendingAsync then sends nothing) rather than leave it half updated.
            _broken = true;
            _filter!.Clear();
            _body.Clear();
            throw;
        }

        var decided = (int)(decidedEnd - sourceStart);
        if (inPlace)
        {
            _body.Append(buffer.Span[decided..]);
        }
        else
        {
            _body.RemovePrefix(decided);
        }

        _decided = decidedEnd;
    }

    /// <summary>
    /// Whether held bytes of an unfinished event could still be the usage-only chunk: short, and one data line so far (a
    /// second one, or a provider that never sends blank lines, means it is not). Only data lines count: a comment, an
    /// <c>event:</c>, <c>id:</c> or <c>retry:</c> line before the data says nothing either way, and counting it made the
    /// answer depend on where the provider's reads split.
    /// </summary>
    private static bool MayBeUsageOnlyEvent(ReadOnlySpan<byte> held)
    {
        if (held.Length > MaxHeldEvent)
        {
            return false;
        }

        var dataLines = 0;
        while (!held.IsEmpty)
        {
            var lineEnd = held.IndexOfAny((byte)'\n', (byte)'\r');
            var line = lineEnd < 0 ? held : held[..lineEnd];
            // A line still arriving ("da") is counted once it is whole enough to tell: the check runs again on every read.
            if (line.StartsWith("data"u8) && (line.Length == 4 || line[4] == (byte)':') && ++dataLines > 1)
            {
                return false;
            }

            if (lineEnd < 0)
            {
                break;
            }

            held = held[(lineEnd + 1)..];
        }

        return true;
    }

    /// <summary>Sends the held bytes of the unfinished event and stops holding it (it cannot be the usage chunk).</summary>
    private async ValueTask ReleaseHeldEventAsync(CancellationToken cancellationToken)
    {
        var held = _body.Length;
        try
        {
            await WriteThroughAsync(_body.WrittenMemory, cancellationToken);
        }
        catch
        {
            _broken = true;
            _body.Clear();
            throw;
        }

        _decided += held;
        _body.Clear();
    }

    private void CaptureSample(ReadOnlySpan<byte> bytes)
    {
        var room = _sampleLimit - _sample!.Length;
        if (bytes.Length > room)
        {
            SampleTruncated = true;
            bytes = bytes[..room];
        }

        if (!bytes.IsEmpty)
        {
            _sample.Append(bytes);
        }
    }

    /// <summary>Makes taps that know their pool; a tap resets itself on <see cref="Rent"/>, so any returned one is kept.</summary>
    private sealed class TapPolicy : PooledObjectPolicy<ResponseTap>
    {
        public ObjectPool<ResponseTap>? Pool { get; set; }

        public override ResponseTap Create() => new(Pool);

        public override bool Return(ResponseTap obj) => true;
    }
}
