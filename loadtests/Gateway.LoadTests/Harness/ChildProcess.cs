using System.Diagnostics;
using LlmGateway.LoadTests.Hosting;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// One system under test in a process of its own: this executable run as <c>host &lt;role&gt;</c>. Its output goes to
/// a log file (an undrained pipe would block it), and its memory is read from <c>/proc/&lt;pid&gt;/status</c>.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StreamWriter _log;

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

    public static async Task<ChildProcess> StartAsync(string role, IEnumerable<string> args, string logDirectory)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Run as "dotnet Gateway.LoadTests.dll" or through the apphost, whichever started us.
        var processPath = Environment.ProcessPath ?? "dotnet";
        start.FileName = processPath;
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        start.ArgumentList.Add("host");
        start.ArgumentList.Add(role);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{role}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {role} child process.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var child = new ChildProcess(role, process, log, logPath);
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

            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    /// <summary>Resident set now and its high-water mark since the process started, from the kernel.</summary>
    public ProcessMemory ReadMemory() => ProcessMemory.Read(Pid);

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
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
