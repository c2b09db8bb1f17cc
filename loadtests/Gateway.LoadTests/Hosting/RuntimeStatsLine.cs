using System.Globalization;

namespace LlmGateway.LoadTests.Hosting;

/// <summary>The one-line wire form of <see cref="RuntimeStats"/> on a child's standard output.</summary>
internal static class RuntimeStatsLine
{
    public const string Prefix = "LOADTEST-STATS ";

    public static string Format(RuntimeStats stats) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}{stats.AllocatedBytes} {stats.Gen0Collections} {stats.Gen1Collections} {stats.Gen2Collections} {stats.JitCompiledMethods} {stats.GcPause.Ticks}");

    public static RuntimeStats? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = line[Prefix.Length..].Split(' ');
        return parts.Length == 6
            && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var allocated)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gen0)
            && int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gen1)
            && int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gen2)
            && long.TryParse(parts[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var jitted)
            && long.TryParse(parts[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pauseTicks)
            ? new RuntimeStats(allocated, gen0, gen1, gen2, jitted, TimeSpan.FromTicks(pauseTicks))
            : null;
    }
}
