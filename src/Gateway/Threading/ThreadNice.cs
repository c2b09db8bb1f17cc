using System.Runtime.InteropServices;

namespace LlmGateway.Threading;

/// <summary>
/// The Linux nice value of the calling thread. <see cref="Thread.Priority"/> does nothing on Linux (the default
/// scheduler ignores static priorities), but the nice value is per thread there and any thread may raise its own.
/// </summary>
internal static partial class ThreadNice
{
    private const int PrioProcess = 0; // with who = 0: the calling thread on Linux (a thread is its own task)

    /// <summary>Sets the calling thread's nice value; false where that is not supported or refused.</summary>
    public static bool TrySetCurrent(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        return SetPriority(PrioProcess, 0, nice) == 0;
    }

    /// <summary>The calling thread's nice value, from <c>/proc/thread-self/stat</c>; null off Linux.</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // Field 19; the command name (field 2) may hold spaces, so count from the closing parenthesis.
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int prio);
}
