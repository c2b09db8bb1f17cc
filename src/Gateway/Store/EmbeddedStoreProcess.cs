using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using LlmGateway.Serialization;
using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// The embedded Garnet in a child process of the gateway (<c>Gateway --store-child</c>, the same executable). Under
/// sustained load Garnet's log-size resizer and compaction spin on the thread they run on while pages are flushed;
/// hosted in the gateway they take its thread pool with them, and the proxy stalled for up to a second (RESULTS.md,
/// "The embedded store's ~1 s stalls"). In a process of its own the store can only slow its own answers, which the
/// hot path already bounds. The child stops when its standard input closes: when this is disposed, or when the
/// gateway dies.
/// </summary>
internal sealed class EmbeddedStoreProcess : IEmbeddedStoreServer
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly string _password;
    private readonly Action _lost;
    private int _stopping;
    private int _lostReported;
    private volatile bool _started;
    private volatile bool _killedAsHung;

    private EmbeddedStoreProcess(Process process, string password, Action lost, ILogger logger)
    {
        _process = process;
        _logger = logger;
        _password = password;
        _lost = lost;
        ProcessId = process.Id;
    }

    /// <summary>Where it listens, as it reported once ready.</summary>
    public int Port { get; private set; }

    public int ProcessId { get; }

    public string ConnectionString => $"127.0.0.1:{Port},password={_password}";

    /// <inheritdoc cref="IEmbeddedStoreServer.ConnectionOptions"/>
    public ConfigurationOptions ConnectionOptions() => IEmbeddedStoreServer.Loopback(Port, _password);

    /// <summary>The child's runtime settings, over the gateway's own environment.</summary>
    internal static void ChildEnvironment(IDictionary<string, string?> environment)
    {
        // The child starts with the gateway's environment, which holds provider keys and admin tokens; the store needs
        // none of them (its settings come on standard input), so it keeps only what the runtime and the OS read.
        foreach (var name in environment.Keys.Where(name => !KeptForTheChild(name)).ToList())
        {
            environment.Remove(name);
        }

        // The gateway's runtime settings are for a proxy (server GC, a heap per core); a store whose data lives in
        // Garnet's own log needs one small heap: the workstation collector keeps the second runtime's memory down.
        environment["DOTNET_gcServer"] = "0";

        // Idle pool threads spin before they sleep, and between the gateway's store calls the store's threads are
        // mostly idle: a third of the child's CPU under prompt-chat load was that spinning, on cores the proxy needs.
        // Its answers wait for a thread to wake instead (microseconds; the hot path never waits on the store unbounded).
        // An operator's own setting wins: either environment spelling, or the runtime configuration both processes
        // share (which a variable set here would override).
        if (!environment.ContainsKey("DOTNET_" + SpinLimit) && !environment.ContainsKey("COMPlus_" + SpinLimit)
            && AppContext.GetData(SpinLimitProperty) is null)
        {
            environment["DOTNET_" + SpinLimit] = "0";
        }
    }

    private static readonly HashSet<string> KeptNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TMP", "TEMP", "LANG", "LANGUAGE", "TZ",
        // Windows: what processes there need to start at all.
        "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "USERPROFILE", "LOCALAPPDATA", "APPDATA", "PROGRAMDATA",
    };

    private static bool KeptForTheChild(string name) =>
        KeptNames.Contains(name)
        || name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("LC_", StringComparison.Ordinal)
        // The dynamic loader's paths (a libicu found only through them), the allocator's limits (MALLOC_ARENA_MAX),
        // glibc's tunables and the runtime's native library overrides (CLR_ICU_VERSION_OVERRIDE).
        || name.StartsWith("LD_", StringComparison.Ordinal)
        || name.StartsWith("MALLOC_", StringComparison.Ordinal)
        || name.StartsWith("CLR_", StringComparison.Ordinal)
        || name == "GLIBC_TUNABLES";

    private const string SpinLimit = "ThreadPool_UnfairSemaphoreSpinLimit";
    private const string SpinLimitProperty = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <param name="lost">Called once if the child ends without being asked to, after it was ready.</param>
    public static async Task<EmbeddedStoreProcess> StartAsync(EmbeddedStoreOptions options, Action lost, ILogger logger, CancellationToken cancellationToken)
    {
        var password = string.IsNullOrEmpty(options.Password) ? EmbeddedGarnetServer.NewPassword() : options.Password;
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var (fileName, arguments) = Command();
        start.FileName = fileName;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        ChildEnvironment(start.Environment);

        var process = Process.Start(start) ?? throw new InvalidOperationException("The embedded store process could not be started.");
        var pid = process.Id;
        var child = new EmbeddedStoreProcess(process, password, lost, logger);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastLines = new Queue<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (line.StartsWith(EmbeddedStoreChild.ReadyMarker + " ", StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(EmbeddedStoreChild.ReadyMarker.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var listening))
            {
                ready.TrySetResult(listening);
                return;
            }

            lock (lastLines)
            {
                lastLines.Enqueue(line);
                if (lastLines.Count > 20)
                {
                    lastLines.Dequeue();
                }
            }

            StoreLog.ChildOutput(logger, pid, line);
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => child.OnExited();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            // Port 0 is picked by the child, next to its bind: picked here, the port would sit free for the seconds the
            // child's runtime takes to start, for any other process to take.
            var launch = new EmbeddedStoreLaunch(options.Port, options.DataDirectory, options.Memory, options.Index, options.PageSize, password);
            await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(launch, GatewayJsonContext.Default.EmbeddedStoreLaunch).AsMemory(), cancellationToken);
            await process.StandardInput.FlushAsync(cancellationToken);
            var exited = process.WaitForExitAsync(cancellationToken);
            var finished = await Task.WhenAny(ready.Task, exited, Task.Delay(StartTimeout, cancellationToken));
            if (finished != ready.Task)
            {
                string output;
                lock (lastLines)
                {
                    output = string.Join(Environment.NewLine, lastLines);
                }

                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException(process.HasExited
                    ? $"The embedded store process exited with code {process.ExitCode} before it was ready. Its last output:{Environment.NewLine}{output}"
                    : $"The embedded store process was not ready within {StartTimeout.TotalSeconds} s. Its last output:{Environment.NewLine}{output}");
            }
        }
        catch
        {
            child.Dispose();
            throw;
        }

        child.Port = await ready.Task;
        child._started = true;
        if (process.HasExited)
        {
            // It ended between its ready line and the line above, when the exit event did not count it as lost.
            child.OnExited();
        }

        return child;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        try
        {
            // Closing its input is the child's signal to stop Garnet (deleting a temporary log folder) and exit.
            _process.StandardInput.Close();
            if (!_process.WaitForExit(StopTimeout))
            {
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (AggregateException)
                {
                    // The tree walk failed for some process of it (on Unix, reported together): the store itself still goes.
                    TryKillAlone();
                }

                _process.WaitForExit(StopTimeout);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>
    /// Kills a store that no longer answers. False when it had already ended (its exit is reported as a death).
    /// </summary>
    public bool KillHung()
    {
        try
        {
            if (_process.HasExited)
            {
                return false;
            }

            // SIGKILL: a hung runtime may never run a graceful handler, and a stopped one (SIGSTOP) cannot.
            _killedAsHung = true;
            _process.Kill(entireProcessTree: true);
            return true;
        }
        catch (AggregateException)
        {
            // The tree walk failed for some process of it (on Unix, reported together): the store itself still goes.
            return TryKillAlone();
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone: its exit is being reported.
            return false;
        }
    }

    private bool TryKillAlone()
    {
        try
        {
            _process.Kill();
            return true;
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// This executable again: its apphost, or <c>dotnet Gateway.dll</c> when the gateway runs through the host or is
    /// hosted by another program (tests, load tests), which finds <c>Gateway.dll</c> and its runtime files beside it.
    /// </summary>
    private static (string FileName, string[] Arguments) Command()
    {
        var assembly = typeof(EmbeddedStoreProcess).Assembly;
        var processPath = Environment.ProcessPath;
        if (processPath is not null && Assembly.GetEntryAssembly() == assembly && Path.GetFileNameWithoutExtension(processPath) != "dotnet")
        {
            // The gateway's own apphost.
            return (processPath, [EmbeddedStoreChild.Switch]);
        }

        return (DotnetHost(processPath), [assembly.Location, EmbeddedStoreChild.Switch]);
    }

    private static string DotnetHost(string? processPath)
    {
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    private void OnExited()
    {
        // Before it was ready, a failed start reports it (the start throws); once asked to stop, it is expected.
        if (_started && Volatile.Read(ref _stopping) == 0 && Interlocked.Exchange(ref _lostReported, 1) == 0)
        {
            // Not asked to stop: the store is gone, and nothing brings it back but a new one. Store calls fail from
            // now on (each bounded by the operation timeout) and /readyz reports it; the gateway is told to stop.
            int code;
            try
            {
                code = _process.ExitCode;
            }
            catch (InvalidOperationException)
            {
                code = -1;
            }

            if (!_killedAsHung)
            {
                // A kill as hung was logged as such by the watchdog.
                StoreLog.ChildExited(_logger, ProcessId, code);
            }

            _lost();
        }
    }
}
