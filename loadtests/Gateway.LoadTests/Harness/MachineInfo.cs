using System.Runtime.InteropServices;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// The machine a result came from, written next to every result: numbers from a shared 2-core box mean something
/// else than numbers from a dedicated 32-core one, and the load average shows how busy it was when the run began.
/// </summary>
internal sealed record MachineInfo(
    int LogicalCores,
    string CpuModel,
    double MemoryGb,
    string Os,
    string Runtime,
    string LoadAverage,
    string Placement)
{
    public const string SharedPlacement =
        "generator, mock provider, proxy and store are separate processes on the same cores (no pinning): "
        + "the generator competes with the system under test for CPU";

    public static MachineInfo Describe() => new(
        Environment.ProcessorCount,
        FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Math.Round((FirstNumber("/proc/meminfo", "MemTotal") ?? 0) / 1024 / 1024, 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverageNow(),
        SharedPlacement);

    /// <summary>The 1, 5 and 15 minute load averages: above the core count, something else was running too.</summary>
    public static string LoadAverageNow() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public string ToMarkdown() =>
        $"{LogicalCores} logical cores ({CpuModel}), {MemoryGb} GB RAM, {Os}, {Runtime}; load average at start {LoadAverage}; {Placement}.";

    private static string? FirstValue(string path, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static double? FirstNumber(string path, string key) =>
        FirstValue(path, key) is { } value && double.TryParse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;
}
