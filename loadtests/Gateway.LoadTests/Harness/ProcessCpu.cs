using System.Globalization;
using System.Runtime.InteropServices;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// CPU time a process has used, user + system, from <c>/proc/&lt;pid&gt;/stat</c> (fields 14 <c>utime</c> and 15
/// <c>stime</c>, in clock ticks: see proc(5)). Both count every thread of the process, live or exited, so a delta over a
/// window is the process's whole CPU cost in that window. Resolution is one tick (10 ms at the usual 100 Hz): over a
/// measured window of several CPU-seconds that is well under 1%.
/// </summary>
internal static class ProcessCpu
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK on Linux
    private const long FallbackTicksPerSecond = 100; // USER_HZ on every mainstream Linux architecture

    private static readonly Lazy<long> TicksPerSecond = new(() =>
    {
        var ticks = OperatingSystem.IsLinux() ? SysConf(ClockTicksName) : -1;
        return ticks > 0 ? ticks : FallbackTicksPerSecond;
    });

    public static TimeSpan Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return TimeSpan.FromSeconds((double)CpuTicks(stat, stat.LastIndexOf(')')) / TicksPerSecond.Value);
    }

    /// <summary>utime + stime of a <c>stat</c> line whose command name (field 2) closes at <paramref name="close"/>.</summary>
    private static long CpuTicks(string stat, int close)
    {
        // The command name is in parentheses and may itself contain spaces or ')': split after the last ')'.
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        var fields = stat[(close + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// CPU ticks of each live thread of <paramref name="pid"/> whose name starts with <paramref name="threadName"/>, by
    /// thread id (<c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/stat</c>; names are cut at 15 characters). By thread, because
    /// such a thread may exit and be replaced between two readings: see <see cref="ThreadsSince"/>.
    /// </summary>
    public static Dictionary<int, long> ReadThreads(int pid, string threadName)
    {
        var ticks = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || !stat.AsSpan(open + 1, close - open - 1).StartsWith(threadName, StringComparison.Ordinal)
                    || !int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                {
                    continue;
                }

                ticks[tid] = CpuTicks(stat, close);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended while we looked, or /proc hides it.
            }
        }

        return ticks;
    }

    /// <summary>
    /// CPU time the threads of <paramref name="after"/> used since <paramref name="before"/> (a new thread counts whole),
    /// or null when a thread of <paramref name="before"/> is gone: what it used since is lost with it.
    /// </summary>
    public static TimeSpan? ThreadsSince(Dictionary<int, long> before, Dictionary<int, long> after)
    {
        long ticks = 0;
        foreach (var (tid, was) in before)
        {
            if (!after.TryGetValue(tid, out var now))
            {
                return null;
            }

            ticks += now - was;
        }

        foreach (var (tid, now) in after)
        {
            if (!before.ContainsKey(tid))
            {
                ticks += now;
            }
        }

        return TimeSpan.FromSeconds((double)ticks / TicksPerSecond.Value);
    }

    /// <summary>The generator's own CPU time, the same way, for its share of the machine.</summary>
    public static TimeSpan ReadSelf() => Read(Environment.ProcessId);

    /// <summary>
    /// CPU time the processes of the whole machine have used so far, all cores together (<c>/proc/stat</c>'s <c>cpu</c> line:
    /// user, nice and system; guest time is already in user), and apart from it the interrupt time (irq and softirq: on
    /// loopback, mostly the kernel carrying our own packets) and the steal time (the hypervisor giving our cores to
    /// someone else). A window's process time minus its own processes' deltas is what the rest of the machine (a build, a
    /// test suite) took from the cores meanwhile.
    /// </summary>
    public static (TimeSpan Processes, TimeSpan Interrupts, TimeSpan Steal) ReadMachine()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int index) => fields.Length > index ? long.Parse(fields[index], CultureInfo.InvariantCulture) : 0;
        TimeSpan Time(long ticks) => TimeSpan.FromSeconds((double)ticks / TicksPerSecond.Value);

        // cpu user nice system idle iowait irq softirq steal
        return (Time(Field(1) + Field(2) + Field(3)), Time(Field(6) + Field(7)), Time(Field(8)));
    }

    // DllImport rather than LibraryImport: the signature is blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "sysconf")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long SysConf(int name);
}
