using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Hosting;

/// <summary>
/// One request run in process (<see cref="InProcessApplication"/>), as a server sees it: the request from memory, and
/// a response whose body is thrown away as it is written (nothing buffered), but for the first
/// <see cref="KeptErrorBytes"/> of an error answer, or, when asked, the whole body up to a cap. Like Kestrel's one
/// object per request, it is the request's body detection, lifetime, response and response body features, and it
/// follows Kestrel where the pipeline could tell: OnStarting callbacks run once each before the first byte, status
/// and headers are fixed once started, an abort is signalled off the aborting thread, a failure before the answer is
/// a 500 (after it, the answer is cut), a request aborted before it answered is a 499, and every OnCompleted callback
/// runs whatever the others do (a failing one is logged, not the answer's failure).
/// </summary>
internal sealed class InProcessExchange : IHttpRequestBodyDetectionFeature, IHttpRequestLifetimeFeature, IHttpResponseFeature, IHttpResponseBodyFeature, IDisposable
{
    /// <summary>How much of an error answer (status 400 or more) is kept for <see cref="ErrorHead"/>.</summary>
    public const int KeptErrorBytes = 4096;

    private readonly CancellationTokenSource _aborted = new();
    private readonly CancellationTokenRegistration _deadline;
    private readonly InProcessResponseStream _body;
    private readonly int _keptBodyBytes;
    private Stack<(Func<object, Task> Callback, object State)>? _onStarting;
    private Stack<(Func<object, Task> Callback, object State)>? _onCompleted;
    private PipeWriter? _writer;
    private CancellationToken? _replacedAbort;
    private int _abortRequested;
    private int _statusCode = StatusCodes.Status200OK;
    private string? _reasonPhrase;
    private ArrayBufferWriter<byte>? _kept;

    /// <param name="method">The HTTP method.</param>
    /// <param name="scheme">The scheme the request reads as having come in on.</param>
    /// <param name="host">The <c>Host</c> header, as a client sent it (empty: none); the same host filtering applies.</param>
    /// <param name="path">The path, no query.</param>
    /// <param name="headers">The request headers, the exchange's own from here (<c>Host</c> and <c>Content-Length</c> are set on it).</param>
    /// <param name="body">The request body.</param>
    /// <param name="deadline">Aborts the request, as a client leaving would (<see cref="PastDeadline"/> says it did).</param>
    /// <param name="query">The query string, with its <c>?</c>, or empty.</param>
    /// <param name="keptBodyBytes">0: keep only an error answer's head; more: keep the whole body up to this many bytes.</param>
    public InProcessExchange(string method, string scheme, string host, string path, IHeaderDictionary headers, byte[] body, CancellationToken deadline, string query = "", int keptBodyBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keptBodyBytes);
        _keptBodyBytes = keptBodyBytes;
        _body = new InProcessResponseStream(this);
        if (host.Length > 0)
        {
            headers.Host = host;
        }

        headers.ContentLength = body.Length;
        Features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = scheme,
            Method = method,
            PathBase = "",
            Path = path,
            QueryString = query,
            RawTarget = path + query,
            Headers = headers,
            Body = new MemoryStream(body, writable: false),
        });
        Features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "in-process",
            RemoteIpAddress = IPAddress.Loopback,
            LocalIpAddress = IPAddress.Loopback,
        });
        Features.Set<IHttpRequestBodyDetectionFeature>(this);
        Features.Set<IHttpRequestLifetimeFeature>(this);
        Features.Set<IHttpResponseFeature>(this);
        Features.Set<IHttpResponseBodyFeature>(this);
        _deadline = deadline.Register(static state => ((InProcessExchange)state!).Expire(), this);
    }

    /// <summary>The features the hosting application makes its context from.</summary>
    public FeatureCollection Features { get; } = new();

    /// <summary>The first <see cref="KeptErrorBytes"/> of the answer when its status is 400 or more (or what was kept of it); empty otherwise.</summary>
    public string ErrorHead => _statusCode < StatusCodes.Status400BadRequest || _kept is null ? "" : Encoding.UTF8.GetString(_kept.WrittenSpan[..Math.Min(_kept.WrittenCount, KeptErrorBytes)]);

    /// <summary>The body kept: the whole of it when the exchange was asked to keep it and it fit.</summary>
    public ReadOnlyMemory<byte> KeptBody => _kept?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>True when the exchange was asked to keep the body and it was longer than that.</summary>
    public bool BodyOverflowed { get; private set; }

    /// <summary>True when the request was aborted: by its deadline, or by the pipeline (a cut answer).</summary>
    public bool WasAborted => Volatile.Read(ref _abortRequested) != 0;

    /// <summary>True when the deadline aborted the request before the pipeline ended it.</summary>
    public bool PastDeadline { get; private set; }

    /// <summary>What the pipeline failed with (it threw, or an OnStarting callback did); null when it ended normally.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// The first OnCompleted callback's failure, if any: after the answer, so (as in Kestrel, which logs it) it does
    /// not make the answer a failed one.
    /// </summary>
    public Exception? CompletionFailure { get; private set; }

    bool IHttpRequestBodyDetectionFeature.CanHaveBody => true;

    /// <summary>The exchange's abort, or what a middleware set in its place (as Kestrel lets it).</summary>
    public CancellationToken RequestAborted
    {
        get => _replacedAbort ?? _aborted.Token;
        set => _replacedAbort = value;
    }

    /// <summary>
    /// Aborts the request. As in Kestrel, the token's callbacks (YARP's, HttpClient's, timers') run on the thread
    /// pool, never on the caller's thread, and what they throw is theirs.
    /// </summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _abortRequested, 1) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(
            static exchange =>
            {
                try
                {
                    exchange._aborted.Cancel();
                }
                catch (Exception ex) when (ex is AggregateException or ObjectDisposedException)
                {
                    // A callback's failure, or an exchange already disposed: nothing is waiting for this cancel.
                }
            },
            this,
            preferLocal: false);
    }

    public int StatusCode
    {
        get => _statusCode;
        set => _statusCode = HasStarted ? throw Started(nameof(StatusCode)) : value;
    }

    public string? ReasonPhrase
    {
        get => _reasonPhrase;
        set => _reasonPhrase = HasStarted ? throw Started(nameof(ReasonPhrase)) : value;
    }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    [Obsolete("Use IHttpResponseBodyFeature.Stream instead.")]
    public Stream Body
    {
        get => _body;
        set => throw new NotSupportedException("Replace the response body feature instead.");
    }

    public bool HasStarted { get; private set; }

    public Stream Stream => _body;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_body, new StreamPipeWriterOptions(leaveOpen: true));

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw Started(nameof(OnStarting));
        }

        (_onStarting ??= new()).Push((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= new()).Push((callback, state));

    public void DisableBuffering()
    {
    }

    /// <summary>
    /// Starts the answer: the OnStarting callbacks run, last registered first, each once (one that writes, or
    /// registers another, does not run them again); then status and headers are fixed.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        while (!HasStarted && _onStarting is { Count: > 0 } callbacks)
        {
            var (callback, state) = callbacks.Pop();
            await callback(state);
        }

        if (!HasStarted)
        {
            HasStarted = true;
            if (Headers is HeaderDictionary headers)
            {
                headers.IsReadOnly = true;
            }
        }
    }

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        await StartAsync(cancellationToken);

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null)
        {
            await _writer.CompleteAsync();
        }
    }

    /// <summary>
    /// What a server does when the application returns, Kestrel's order: an aborted request that never answered is
    /// a 499 (nothing starts); a failure before the answer is a 500 (no OnStarting); a failure after it cuts the
    /// answer (a socket's client sees the connection close); otherwise the answer starts if it has not and ends.
    /// Then every OnCompleted callback runs, last first, whatever the others throw.
    /// </summary>
    /// <returns>The request's failure, for the hosting application's <c>DisposeContext</c>.</returns>
    internal async Task<Exception?> EndAsync(Exception? failure)
    {
        // From here the deadline can no longer change what the request was.
        await _deadline.DisposeAsync();
        Failure = failure;
        if (WasAborted && !HasStarted)
        {
            _statusCode = StatusCodes.Status499ClientClosedRequest;
        }
        else if (failure is not null && !HasStarted)
        {
            _statusCode = StatusCodes.Status500InternalServerError;
            Headers.Clear();
            HasStarted = true;
        }
        else if (failure is not null)
        {
            Abort();
        }
        else if (!WasAborted)
        {
            try
            {
                await CompleteAsync();
            }
            catch (Exception ex)
            {
                Failure = ex;
                if (!HasStarted)
                {
                    _statusCode = StatusCodes.Status500InternalServerError;
                    Headers.Clear();
                    HasStarted = true;
                }
            }
        }

        while (_onCompleted is { Count: > 0 } callbacks)
        {
            var (callback, state) = callbacks.Pop();
            try
            {
                await callback(state);
            }
            catch (Exception ex)
            {
                // Kestrel logs these and runs the rest; the exchange keeps the first for its server to log.
                CompletionFailure ??= ex;
            }
        }

        return Failure;
    }

    /// <summary>Keeps the body when asked to, else the head of an error answer; anything else written is dropped.</summary>
    internal void Written(ReadOnlySpan<byte> bytes)
    {
        var cap = _keptBodyBytes > 0 ? _keptBodyBytes : _statusCode >= StatusCodes.Status400BadRequest ? KeptErrorBytes : 0;
        var kept = _kept?.WrittenCount ?? 0;
        var take = Math.Min(bytes.Length, cap - kept);
        if (take < bytes.Length && _keptBodyBytes > 0)
        {
            BodyOverflowed = true;
        }

        if (take > 0)
        {
            (_kept ??= new ArrayBufferWriter<byte>(Math.Min(cap, 4096))).Write(bytes[..take]);
        }
    }

    public void Dispose()
    {
        _deadline.Dispose();
        _aborted.Dispose();
    }

    private void Expire()
    {
        PastDeadline = true;
        Abort();
    }

    private static InvalidOperationException Started(string what) =>
        new($"{what} cannot be set once the response has started.");
}
