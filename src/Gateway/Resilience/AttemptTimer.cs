using System.Diagnostics;

namespace LlmGateway.Resilience;

/// <summary>
/// The first-byte, idle and total timeouts of one attempt, as one cancellation token that YARP
/// forwards with. Before the first response byte it is armed with the first-byte timeout; every
/// byte that arrives re-arms it with the idle timeout. Both are capped by what is left of the
/// request's total time.
/// </summary>
internal sealed class AttemptTimer : IDisposable
{
    private readonly CancellationTokenSource _timeout = new();
    private readonly CancellationTokenSource _linked;
    private readonly TimeSpan _idle;
    private readonly long _deadline;
    private volatile bool _responding;

    public AttemptTimer(TimeSpan firstByte, TimeSpan idle, long deadlineTimestamp, CancellationToken client)
    {
        _idle = idle;
        _deadline = deadlineTimestamp;
        _linked = CancellationTokenSource.CreateLinkedTokenSource(client, _timeout.Token);
        Arm(firstByte);
    }

    /// <summary>Cancelled when the client goes away or a timer fires.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Which timer fired, if one did.</summary>
    public UpstreamTimeout Fired => !_timeout.IsCancellationRequested ? UpstreamTimeout.None
        : Stopwatch.GetTimestamp() >= _deadline ? UpstreamTimeout.Total
        : _responding ? UpstreamTimeout.Idle
        : UpstreamTimeout.FirstByte;

    /// <summary>Response bytes arrived: from now on, silence is measured by the idle timeout.</summary>
    public void Activity()
    {
        _responding = true;
        Arm(_idle);
    }

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }

    private void Arm(TimeSpan timeout)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _deadline);
        var delay = left < timeout ? left : timeout;
        try
        {
            _timeout.CancelAfter(delay <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : delay);
        }
        catch (ObjectDisposedException)
        {
            // A late write after the attempt ended: nothing left to time.
        }
    }
}
