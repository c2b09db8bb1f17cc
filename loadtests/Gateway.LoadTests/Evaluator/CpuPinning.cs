using System.Globalization;
using System.Runtime.InteropServices;

namespace LlmGateway.LoadTests.Evaluator;

/// <summary>
/// Pins every thread of this process to one CPU with <c>sched_setaffinity(2)</c>. Linux applies an affinity per
/// thread (<c>Process.ProcessorAffinity</c> sets only the main thread's), so each task under
/// <c>/proc/self/task</c> is pinned; threads started later inherit their creator's mask, hence the whole process
/// stays on that CPU. The runtime keeps believing it has every core (<c>Environment.ProcessorCount</c>, the GC's
/// heap count are read at start-up).
/// </summary>
internal static class CpuPinning
{
    /// <summary>Pins every current thread; returns how many were pinned, or 0 where this is not Linux.</summary>
    public static int PinProcess(int cpu)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var mask = 1UL << cpu;
        var pinned = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid)
                && SchedSetAffinity(tid, sizeof(ulong), ref mask) == 0)
            {
                pinned++;
            }
        }

        return pinned;
    }

    /// <summary>The CPUs each thread of this process may run on, distinct (e.g. "0"), from <c>/proc/self/task/*/status</c>.</summary>
    public static string AllowedCpus()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "n/a";
        }

        var lists = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var line = File.ReadLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
                if (line is not null)
                {
                    lists.Add(line["Cpus_allowed_list:".Length..].Trim());
                }
            }
            catch (IOException)
            {
                // The thread exited while we looked.
            }
        }

        return string.Join(" / ", lists);
    }

    // DllImport rather than LibraryImport: the signature is blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedSetAffinity(int pid, nuint cpuSetSize, ref ulong mask);
}
