namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// A process one of the harness's children started itself: the gateway's embedded store, which runs in a child process
/// of the gateway by default (<c>Gateway --store-child</c>). Its CPU and memory are the gateway's cost as much as the
/// gateway's own; the gateway stops it.
/// </summary>
internal sealed class DescendantProcess(int pid) : IWatchedProcess
{
    public int Pid { get; } = pid;

    public ProcessMemory ReadMemory()
    {
        try
        {
            return ProcessMemory.Read(Pid);
        }
        catch (IOException exception) when (!IsRunning())
        {
            throw Gone(exception);
        }
    }

    public TimeSpan ReadCpuTime()
    {
        try
        {
            return ProcessCpu.Read(Pid);
        }
        catch (IOException exception) when (!IsRunning())
        {
            throw Gone(exception);
        }
    }

    /// <summary>
    /// Whether it still runs: its <c>/proc</c> entry is there and not a zombie's (ended, not yet reaped by its parent).
    /// Not a child of ours, so there is no exit event to wait for: <see cref="ChildSupervisor"/> asks this every so often.
    /// </summary>
    public bool IsRunning()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] is not ('Z' or 'X' or 'x');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private ChildExitedException Gone(Exception cause) =>
        new(Hosting.ChildHost.Store, Pid, null, "the gateway's log", [], cause);

    /// <summary>The child of <paramref name="parentPid"/> whose command line has <paramref name="argument"/>, if there is one.</summary>
    public static DescendantProcess? FindChild(int parentPid, string argument)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after its last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != parentPid)
                {
                    continue;
                }

                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (commandLine.Contains(argument, StringComparer.Ordinal))
                {
                    return new DescendantProcess(pid);
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return null;
    }
}
