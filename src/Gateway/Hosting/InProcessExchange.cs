using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Hosting;

/// <summary>
/// One request run in process (<see cref="InProcessApplication"/>), as a server sees it: the request from memory, and
/// a response whose body is thrown away as it is written (nothing buffered), but for the first
/// <see cref="KeptErrorBytes"/> of an error answer. Like Kestrel's one object per request, it is the request's body
/// detection, lifetime, response and response body features; its deadline is the request's abort.
/// </summary>
internal sealed class InProcessExchange : IHttpRequestBodyDetectionFeature, IHttpRequestLifetimeFeature, IHttpResponseFeature, IHttpResponseBodyFeature, IDisposable
{
    /// <summary>How much of an error answer (status 400 or more) is kept for <see cref="ErrorHead"/>.</summary>
    public const int KeptErrorBytes = 4096;

    private readonly CancellationTokenSource _aborted;
    private readonly InProcessResponseStream _body;
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;
    private PipeWriter? _writer;
    private CancellationToken? _replacedAbort;
    private byte[]? _kept;
    private int _keptLength;

    /// <param name="method">The HTTP method.</param>
    /// <param name="scheme">The scheme the request reads as having come in on.</param>
    /// <param name="host">The <c>Host</c> header (the one a client used passes the same host filtering again).</param>
    /// <param name="path">The path, no query.</param>
    /// <param name="headers">The request headers, <c>Host</c> and <c>Content-Length</c> aside (set here).</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellation">Aborts the request (the caller's deadline or stop), as a client leaving would.</param>
    public InProcessExchange(string method, string scheme, string host, string path, IHeaderDictionary headers, byte[] body, CancellationToken cancellation)
    {
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _body = new InProcessResponseStream(this);
        headers.Host = host;
        headers.ContentLength = body.Length;
        Features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = scheme,
            Method = method,
            PathBase = "",
            Path = path,
            QueryString = "",
            RawTarget = path,
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
    }

    /// <summary>The features the hosting application makes its context from.</summary>
    public FeatureCollection Features { get; } = new();

    /// <summary>The first <see cref="KeptErrorBytes"/> of the answer when its status is 400 or more; empty otherwise.</summary>
    public string ErrorHead => _kept is null ? "" : Encoding.UTF8.GetString(_kept, 0, _keptLength);

    bool IHttpRequestBodyDetectionFeature.CanHaveBody => true;

    /// <summary>The caller's deadline, or what a middleware set in its place (as Kestrel lets it).</summary>
    public CancellationToken RequestAborted
    {
        get => _replacedAbort ?? _aborted.Token;
        set => _replacedAbort = value;
    }

    /// <summary>True when the request was aborted: by its caller's deadline, or by the pipeline (a cut answer).</summary>
    public bool WasAborted => _aborted.IsCancellationRequested;

    public void Abort() => _aborted.Cancel();

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

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
            throw new InvalidOperationException("The response has already started.");
        }

        (_onStarting ??= []).Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    public void DisableBuffering()
    {
    }

    /// <summary>Runs the <c>OnStarting</c> callbacks, last registered first, once; then the response has started.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }

        if (_onStarting is { } callbacks)
        {
            for (var i = callbacks.Count - 1; i >= 0; i--)
            {
                await callbacks[i].Callback(callbacks[i].State);
            }
        }

        HasStarted = true;
    }

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        await StartAsync(cancellationToken);

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
    }

    /// <summary>
    /// What a server does when the application returns: a failure before the answer started is a 500; the answer
    /// starts if it has not, its writer is flushed, then the <c>OnCompleted</c> callbacks run, last first.
    /// </summary>
    internal async Task EndAsync(Exception? failure)
    {
        if (failure is not null && !HasStarted)
        {
            StatusCode = StatusCodes.Status500InternalServerError;
            Headers.Clear();
        }

        try
        {
            await CompleteAsync();
        }
        finally
        {
            if (_onCompleted is { } callbacks)
            {
                for (var i = callbacks.Count - 1; i >= 0; i--)
                {
                    await callbacks[i].Callback(callbacks[i].State);
                }
            }
        }
    }

    /// <summary>Keeps the head of an error answer; anything else written is dropped.</summary>
    internal void Written(ReadOnlySpan<byte> bytes)
    {
        if (StatusCode < StatusCodes.Status400BadRequest || _keptLength == KeptErrorBytes)
        {
            return;
        }

        _kept ??= new byte[KeptErrorBytes];
        var take = Math.Min(bytes.Length, KeptErrorBytes - _keptLength);
        bytes[..take].CopyTo(_kept.AsSpan(_keptLength));
        _keptLength += take;
    }

    public void Dispose() => _aborted.Dispose();
}
