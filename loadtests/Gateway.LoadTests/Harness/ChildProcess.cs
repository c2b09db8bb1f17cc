using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using LlmGateway.LoadTests.Hosting;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// One system under test in a process of its own: this executable run as <c>host &lt;role&gt; -- …</c>. Its output goes
/// to a log file (an undrained pipe would block it); its memory and CPU time are read from <c>/proc/&lt;pid&gt;</c>, and
/// its runtime counters through the standard-input control channel of <see cref="ChildHost"/>. Its last lines of output
/// are kept for a report, and its end is a task (<see cref="Ended"/>) that <see cref="ChildSupervisor"/> watches; a reading
/// of it once it has ended throws <see cref="ChildExitedException"/> at once rather than waiting or reading a stale
/// <c>/proc</c> entry.
/// </summary>
internal sealed class ChildProcess : IWatchedProcess, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly SemaphoreSlim _statsGate = new(1, 1);
    private readonly LineTail _tail = new(ChildSupervisor.TailLines);
    private readonly TaskCompletionSource<int?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<RuntimeStats>? _pendingStats;
    private volatile bool _stopping;
    private volatile bool _endedUnasked;
    private int _exitSeen;

    private ChildProcess(string role, Process process, StreamWriter log, string logPath)
    {
        Role = role;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Role { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    /// <summary>Completes with the exit code when the process has ended, asked to or not.</summary>
    public Task<int?> Ended => _ended.Task;

    /// <summary>It ended before the harness asked it to stop (<see cref="DisposeAsync"/>): a failure of the run.</summary>
    public bool EndedUnasked => _endedUnasked;

    /// <summary>Its last lines of output so far.</summary>
    public IReadOnlyList<string> Tail() => _tail.Snapshot();

    /// <summary>
    /// Its last lines once it has ended, after waiting (within <paramref name="bound"/>) for the rest of its output to be
    /// read: the exit is seen before the last lines in the pipe are, and a crash's own message is usually last.
    /// </summary>
    public async Task<IReadOnlyList<string>> TailAfterExitAsync(TimeSpan bound)
    {
        using var drained = new CancellationTokenSource(bound);
        try
        {
            // With asynchronous reading on, waiting for the exit also waits for the end of both streams.
            await _process.WaitForExitAsync(drained.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException)
        {
            // Still writing, or already disposed: what has arrived will do.
        }

        return _tail.Snapshot();
    }

    /// <param name="environment">
    /// <c>DOTNET_</c> variables the child gets unless the caller's environment sets them, in either spelling
    /// (<c>DOTNET_</c> or <c>COMPlus_</c>), even to nothing: an empty value is the caller's way to leave one out.
    /// </param>
    public static async Task<ChildProcess> StartAsync(string role, IEnumerable<string> args, string logDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The children take their store from the harness's flags only: a REDIS_URL in the caller's environment would
        // silently replace the gateway's embedded store with someone else's Redis.
        start.Environment.Remove("REDIS_URL");
        foreach (var (name, value) in environment ?? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty)
        {
            if (Environment.GetEnvironmentVariable(name) is null
                && Environment.GetEnvironmentVariable("COMPlus_" + name["DOTNET_".Length..]) is null)
            {
                start.Environment[name] = value;
            }
        }

        var (fileName, assembly) = Command();
        start.FileName = fileName;
        if (assembly is not null)
        {
            start.ArgumentList.Add(assembly);
        }

        start.ArgumentList.Add(Commands.HostCommand.Name);
        start.ArgumentList.Add(role);

        // After "--" the child's own arguments reach it untouched, whatever dashes they contain.
        start.ArgumentList.Add("--");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return await StartAsync(role, start, logDirectory);
    }

    /// <summary>
    /// Starts <paramref name="start"/> (its streams redirected here) and waits for <see cref="ChildHost.ReadyMarker"/>
    /// on its output. Throws <see cref="ChildExitedException"/>, with its last lines, when it ends before that.
    /// </summary>
    internal static async Task<ChildProcess> StartAsync(string role, ProcessStartInfo start, string logDirectory)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{role}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {role} child process.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = new ChildProcess(role, process, log, logPath);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => child.OnExited();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            // Ended before the handler was in place.
            child.OnExited();
        }

        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(ready.Task, exited, Task.Delay(StartTimeout));
        if (finished != ready.Task)
        {
            var gone = exited.IsCompleted ? child.Gone(null) : null;
            await child.DisposeAsync();
            throw (Exception?)gone ?? new InvalidOperationException($"The {role} child did not start within {StartTimeout.TotalSeconds} s (see {logPath}).");
        }

        return child;

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (line == ChildHost.ReadyMarker)
            {
                ready.TrySetResult();
                return;
            }

            if (RuntimeStatsLine.TryParse(line) is { } stats)
            {
                child.OnStats(stats);
                return;
            }

            child._tail.Add(line);
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// This executable again: its apphost, or <c>dotnet Gateway.LoadTests.dll</c> when it runs through the host or is
    /// hosted by another program (the tests), which finds the dll and its runtime files beside it.
    /// </summary>
    private static (string FileName, string? Assembly) Command()
    {
        var assembly = typeof(ChildProcess).Assembly;
        var processPath = Environment.ProcessPath;
        if (processPath is not null && Assembly.GetEntryAssembly() == assembly && Path.GetFileNameWithoutExtension(processPath) != "dotnet")
        {
            return (processPath, null);
        }

        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return (processPath, assembly.Location);
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return (File.Exists(host) ? host : "dotnet", assembly.Location);
    }

    private void OnExited()
    {
        // Once: the exit event and the start's own check can both see it.
        if (Interlocked.Exchange(ref _exitSeen, 1) == 1)
        {
            return;
        }

        int? code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = null;
        }

        // Read before the task completes, so whoever awaits it sees whether the harness had asked.
        _endedUnasked = !_stopping;
        _ended.TrySetResult(code);
    }

    private bool HasEnded()
    {
        if (_ended.Task.IsCompleted)
        {
            return true;
        }

        try
        {
            // Reaps it if it has ended and the exit event has not run yet.
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private ChildExitedException Gone(Exception? cause)
    {
        int? code = null;
        try
        {
            code = _process.HasExited ? _process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
        }

        return new ChildExitedException(Role, Pid, code, LogPath, _tail.Snapshot(), cause);
    }

    private void OnStats(RuntimeStats stats) => Volatile.Read(ref _pendingStats)?.TrySetResult(stats);

    /// <summary>Resident set now and its high-water mark since the process started, from the kernel.</summary>
    public ProcessMemory ReadMemory()
    {
        try
        {
            return ProcessMemory.Read(Pid);
        }
        catch (IOException exception) when (HasEnded())
        {
            throw Gone(exception);
        }
    }

    /// <summary>User + system CPU time the process has used so far, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public TimeSpan ReadCpuTime()
    {
        try
        {
            return ProcessCpu.Read(Pid);
        }
        catch (IOException exception) when (HasEnded())
        {
            throw Gone(exception);
        }
    }

    /// <summary>The child's allocation and GC counters now, asked over its standard input.</summary>
    public async Task<RuntimeStats> ReadRuntimeStatsAsync()
    {
        await _statsGate.WaitAsync();
        try
        {
            if (HasEnded())
            {
                throw Gone(null);
            }

            var pending = new TaskCompletionSource<RuntimeStats>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pendingStats, pending);
            try
            {
                await _process.StandardInput.WriteLineAsync(ChildHost.StatsCommand);
                await _process.StandardInput.FlushAsync();
            }
            catch (IOException exception) when (HasEnded())
            {
                // Its end of the pipe is closed.
                throw Gone(exception);
            }

            // A child that ends instead of answering is not waited for until the timeout.
            if (await Task.WhenAny(pending.Task, _ended.Task).WaitAsync(StatsTimeout) != pending.Task)
            {
                throw Gone(null);
            }

            return await pending.Task;
        }
        catch (TimeoutException exception)
        {
            throw new InvalidOperationException($"The {Role} child did not answer '{ChildHost.StatsCommand}' within {StatsTimeout.TotalSeconds} s (see {LogPath}).", exception);
        }
        finally
        {
            Volatile.Write(ref _pendingStats, null);
            _statsGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (!_process.HasExited)
        {
            // Closing stdin asks the child to stop; a child that does not is killed.
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        // The wait returns once the runtime sees the process gone, which can be before it raises Exited on the thread
        // pool, and disposing the process unhooks that event: the end is recorded here too (once, whichever is first).
        OnExited();
        _process.Dispose();
        _statsGate.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
