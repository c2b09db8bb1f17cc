namespace LlmGateway.Hosting;

/// <summary>
/// Calls this gateway's own pipeline without a socket: a request built in memory goes through the application the
/// server runs (<see cref="InProcessServer"/>), so it is authenticated, routed, forwarded, accounted and traced like
/// one from the wire, but costs no loopback connection, no HTTP parse and no second client. Used for the shadow
/// step's copies (answers run to the end and thrown away) and, through <see cref="InProcessHandler"/>, the online
/// judge's calls (short answers kept whole).
/// </summary>
internal sealed class InProcessApplication(ILogger<InProcessApplication> logger)
{
    private volatile Func<InProcessExchange, Task>? _run;
    private int _inFlight;
    private TaskCompletionSource? _idle;

    /// <summary>True once the server has started, until it is disposed with the host.</summary>
    public bool IsRunning => _run is not null;

    internal void Attach(Func<InProcessExchange, Task> run) => _run = run;

    internal void Detach() => _run = null;

    internal void CompletionFailed(Exception exception) => InProcessLog.CompletionFailed(logger, exception);

    /// <summary>
    /// Runs <paramref name="exchange"/> through the pipeline to its end; false, without running it, when the server
    /// is not running. The exchange's deadline aborts the request; the pipeline ends it when it sees that.
    /// </summary>
    public async Task<bool> SendAsync(InProcessExchange exchange)
    {
        if (_run is not { } run)
        {
            return false;
        }

        Interlocked.Increment(ref _inFlight);
        try
        {
            await run(exchange);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0)
            {
                Volatile.Read(ref _idle)?.TrySetResult();
            }
        }

        return true;
    }

    /// <summary>
    /// Waits until no call runs, or <paramref name="cancellationToken"/> fires. For a caller that stops waiting for
    /// its calls at a deadline (the judge's handler, as over a socket) and stops: a request from the network is
    /// drained by Kestrel before the hosted services stop; an in-process one is drained here, so the services that
    /// stop after the caller (the usage and sample writers, the store) still see it end.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A full fence between this write and the read below: with plain volatile accesses the read may pass the
        // write, and a last call ending in between would find no source to complete.
        Interlocked.Exchange(ref _idle, idle);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            return;
        }

        try
        {
            await idle.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout: what still runs ends with the host.
        }
    }
}
