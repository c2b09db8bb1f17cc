namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Reads <see cref="SharedResidentSet"/> of a group of processes every <c>interval</c> while a run goes on and keeps the
/// highest: the group's peak with the files they share counted once. Null when it could never be read.
/// </summary>
internal sealed class SharedResidentSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private double? _peakMb;

    public SharedResidentSampler(IReadOnlyList<IWatchedProcess> processes, TimeSpan interval)
    {
        var pids = processes.Select(p => p.Pid).ToArray();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (SharedResidentSet.ReadMb(pids) is { } mb)
                    {
                        lock (_gate)
                        {
                            _peakMb = Math.Max(_peakMb ?? 0, mb);
                        }
                    }
                }
                catch (Exception)
                {
                    // One unreadable moment (a process gone, a line of an unexpected shape): the next read may do.
                }

                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public double? PeakMb
    {
        get
        {
            lock (_gate)
            {
                return _peakMb;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
