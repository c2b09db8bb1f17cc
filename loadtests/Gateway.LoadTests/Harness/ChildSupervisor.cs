using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Watches every process of a <see cref="TestBed"/> while a run goes on: the harness's own children through their exit
/// event, the gateway's embedded store (the gateway's child, not ours) by looking at <c>/proc</c> every
/// <see cref="PollInterval"/>. A process that ends without being asked to cancels <see cref="Lost"/> at once; every load
/// run of the commands listens to it (<see cref="StopOn"/>), so the phase stops within moments instead of sending the
/// rest of its seconds to a dead port. The exit is then recorded (<see cref="ChildExit"/>: which process, its exit code,
/// what the run was doing, its last lines of output), and <see cref="GuardAsync"/> turns whatever the dead process makes
/// fail afterwards (a reading of it, a request to it) into that record, so a command finishes with "not met" and the
/// reason instead of an exception. One mechanism for <c>compare</c>, <c>shadow</c>, <c>soak</c> and <c>smoke</c>.
/// </summary>
internal sealed partial class ChildSupervisor : IAsyncDisposable
{
    /// <summary>Lines of a child's output a report quotes.</summary>
    public const int TailLines = 40;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    // The exit is seen before the last lines in its pipes are read; a crash's own message is usually last.
    private static readonly TimeSpan OutputDrain = TimeSpan.FromSeconds(2);

    // The gateway logs its store's exit, with the code, as soon as it reaps it: the record waits this long for that line.
    private static readonly TimeSpan ParentLogCatchUp = TimeSpan.FromSeconds(1);

    // A failure can come before the exit is seen (a request to a dead port, a write to a closed pipe); past this, a failure
    // no exit explains is the failure itself.
    private static readonly TimeSpan ExplainWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private readonly List<Task<ChildExit>> _exits = [];
    private readonly List<Task> _watchers = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private volatile string _stage = "start-up";
    private bool _closed;

    /// <summary>What the run is doing, in words a report can quote ("chat-c32, round 2, gateway window"); set by the runners.</summary>
    public string Stage
    {
        get => _stage;
        set => _stage = value;
    }

    /// <summary>Cancelled as soon as a watched process ends unasked.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Cancelled by Ctrl+C (<paramref name="interrupt"/>) or when a watched process ends: what a run's loads stop on.</summary>
    public CancellationTokenSource StopOn(CancellationToken interrupt) => CancellationTokenSource.CreateLinkedTokenSource(interrupt, _lost.Token);

    /// <summary>
    /// Ends the part of a run <see cref="GuardAsync"/> runs once a process has ended: what a load cut short measured is
    /// the dead port's, not to be counted.
    /// </summary>
    public void ThrowIfLost() => _lost.Token.ThrowIfCancellationRequested();

    public ChildProcess Watch(ChildProcess child)
    {
        lock (_gate)
        {
            _watchers.Add(WatchAsync(child));
        }

        return child;
    }

    /// <summary>Watches a process one of the children started (the gateway's store), whose exit only its parent hears.</summary>
    public void WatchDescendant(DescendantProcess process, ChildProcess parent)
    {
        lock (_gate)
        {
            _watchers.Add(PollAsync(process, parent));
        }
    }

    /// <summary>
    /// Runs part of a run. Null when it completed with every process up. When one ended during it, the loss instead: the
    /// part stopped early (its loads listen to <see cref="Lost"/>) or failed because of the dead process, and that failure
    /// is what the loss explains, so it is not thrown. A failure that no exit explains is thrown as it is.
    /// </summary>
    public async Task<ChildLoss?> GuardAsync(Func<Task> part)
    {
        try
        {
            await part();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (!await ExplainsFailureAsync())
            {
                throw;
            }
        }

        return await LossAsync();
    }

    /// <summary>Every process that ended unasked so far, in the order they were seen; null when none did.</summary>
    public async Task<ChildLoss?> LossAsync()
    {
        Task<ChildExit>[] seen;
        lock (_gate)
        {
            seen = [.. _exits];
        }

        if (seen.Length == 0)
        {
            return null;
        }

        try
        {
            await Task.WhenAll(seen).WaitAsync(ExplainWait + OutputDrain);
        }
        catch (TimeoutException)
        {
            // Each record is bounded on its own; the ones done will do.
        }

        return new ChildLoss([.. seen.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)]);
    }

    /// <summary>The harness is stopping its processes: their ends from now on are its own doing.</summary>
    public void StopWatching()
    {
        lock (_gate)
        {
            _closed = true;
        }

        _closing.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        StopWatching();
        Task[] watchers;
        lock (_gate)
        {
            watchers = [.. _watchers];
        }

        try
        {
            // A child's watcher ends with the child, which the test bed has stopped by now.
            await Task.WhenAll(watchers).WaitAsync(OutputDrain);
        }
        catch (TimeoutException)
        {
        }

        _lost.Dispose();
        _closing.Dispose();
    }

    private async Task<bool> ExplainsFailureAsync()
    {
        try
        {
            await Task.Delay(ExplainWait, _lost.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return _lost.IsCancellationRequested;
    }

    private async Task WatchAsync(ChildProcess child)
    {
        var code = await child.Ended;
        if (child.EndedUnasked)
        {
            Seen(async (stage, seconds) => new ChildExit(child.Role, child.Pid, null, code, stage, seconds, child.LogPath, await child.TailAfterExitAsync(OutputDrain)));
        }
    }

    private async Task PollAsync(DescendantProcess process, ChildProcess parent)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token))
            {
                if (!process.IsRunning())
                {
                    Seen(async (stage, seconds) =>
                    {
                        await Task.Delay(ParentLogCatchUp, CancellationToken.None);
                        var tail = parent.Tail();
                        return new ChildExit(Hosting.ChildHost.Store, process.Pid, parent.Role, ExitCodeLogged(tail, process.Pid), stage, seconds, parent.LogPath, tail);
                    });
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The test bed is stopping.
        }
    }

    private void Seen(Func<string, double, Task<ChildExit>> record)
    {
        lock (_gate)
        {
            // Ctrl+C reaches the children too (one process group): one it ended is part of the interrupted run, which
            // reports what it has, not a death.
            if (_closed || Execution.InterruptSignal.Fired)
            {
                return;
            }

            // In the order seen: the first is the cause. The stage and time are the moment it was seen.
            _exits.Add(record(Stage, Stopwatch.GetElapsedTime(_started).TotalSeconds));
        }

        try
        {
            _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The bed has gone meanwhile: nothing runs any more to stop.
        }
    }

    /// <summary>The store's exit code from the gateway's own line about it (<c>StoreLog.ChildExited</c>), if it is in the tail.</summary>
    private static int? ExitCodeLogged(IReadOnlyList<string> tail, int pid)
    {
        foreach (var line in tail)
        {
            if (StoreExitLine().Match(line) is { Success: true } match
                && int.Parse(match.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture) == pid)
            {
                return int.Parse(match.Groups["code"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"embedded store process (?<pid>\d+) exited with code (?<code>-?\d+)")]
    private static partial Regex StoreExitLine();
}
