using System.Globalization;

namespace LlmGateway.LoadTests.Harness;

/// <summary>A process's resident memory from <c>/proc/&lt;pid&gt;/status</c>: <c>VmRSS</c> now, <c>VmHWM</c> its peak so far.</summary>
internal sealed record ProcessMemory(double RssMb, double PeakRssMb)
{
    public static ProcessMemory Read(int pid)
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) / 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) / 1024;
            }
        }

        return new ProcessMemory(rss, peak);
    }

    private static double Kilobytes(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
