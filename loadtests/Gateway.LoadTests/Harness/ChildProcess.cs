using System.Diagnostics;
using LlmGateway.LoadTests.Hosting;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// One system under test in a process of its own: this executable run as <c>host &lt;role&gt; -- …</c>. Its output goes
/// to a log file (an undrained pipe would block it); its memory and CPU time are read from <c>/proc/&lt;pid&gt;</c>, and
/// its runtime counters through the standard-input control channel of <see cref="ChildHost"/>.
/// </summary>
internal sealed class ChildProcess : IWatchedProcess, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly SemaphoreSlim _statsGate = new(1, 1);
    private TaskCompletionSource<RuntimeStats>? _pendingStats;

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

        // Run as "dotnet Gateway.LoadTests.dll" or through the apphost, whichever started us.
        var processPath = Environment.ProcessPath ?? "dotnet";
        start.FileName = processPath;
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        start.ArgumentList.Add(Commands.HostCommand.Name);
        start.ArgumentList.Add(role);

        // After "--" the child's own arguments reach it untouched, whatever dashes they contain.
        start.ArgumentList.Add("--");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{role}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {role} child process.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = new ChildProcess(role, process, log, logPath);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(ready.Task, exited, Task.Delay(StartTimeout));
        if (finished != ready.Task)
        {
            await child.DisposeAsync();
            throw new InvalidOperationException($"The {role} child did not start (see {logPath}).");
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

            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    private void OnStats(RuntimeStats stats) => Volatile.Read(ref _pendingStats)?.TrySetResult(stats);

    /// <summary>Resident set now and its high-water mark since the process started, from the kernel.</summary>
    public ProcessMemory ReadMemory() => ProcessMemory.Read(Pid);

    /// <summary>User + system CPU time the process has used so far, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public TimeSpan ReadCpuTime() => ProcessCpu.Read(Pid);

    /// <summary>The child's allocation and GC counters now, asked over its standard input.</summary>
    public async Task<RuntimeStats> ReadRuntimeStatsAsync()
    {
        await _statsGate.WaitAsync();
        try
        {
            var pending = new TaskCompletionSource<RuntimeStats>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pendingStats, pending);
            await _process.StandardInput.WriteLineAsync(ChildHost.StatsCommand);
            await _process.StandardInput.FlushAsync();
            return await pending.Task.WaitAsync(StatsTimeout);
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

        _process.Dispose();
        _statsGate.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
