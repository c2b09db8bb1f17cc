namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Reads a child's resident set every <c>interval</c> while a run goes on and keeps the highest: the peak under load.
/// (<c>VmHWM</c> alone would also count start-up, and the mock's or store's memory is not the proxy's.)
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double _peakMb;

    public MemorySampler(IWatchedProcess process, TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    _peakMb = Math.Max(_peakMb, process.ReadMemory().RssMb);
                }
                catch (ChildExitedException)
                {
                    // Gone: the peak so far is all there is, and the run reports the exit.
                    return;
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

    public double PeakRssMb => _peakMb;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
