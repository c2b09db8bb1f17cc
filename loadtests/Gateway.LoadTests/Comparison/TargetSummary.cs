using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>One system over all rounds of a phase: medians of the per-window figures, sums of the counts, peaks of memory.</summary>
/// <param name="PeakRssMb">Highest resident set sampled (every 250 ms, <c>VmRSS</c>) during the phase, warm-up included.</param>
/// <param name="StorePeakRssMb">The same for the gateway's store process, when it has one.</param>
/// <param name="LifetimePeakRssMb"><c>VmHWM</c> at the end of the phase: the peak since the process started, start-up included.</param>
/// <param name="PeakSharedWithStoreMb">
/// With a store process: the two processes' highest resident memory read at the same moments, with the files both map
/// (the runtime's) counted once (<see cref="Harness.SharedResidentSet"/>); <see cref="PeakRssWithStoreMb"/> adds two
/// peaks that count them twice.
/// </param>
internal sealed record TargetSummary(
    string System,
    string SentAs,
    int Windows,
    double? ThroughputPerSecond,
    LatencySummary? Latency,
    LatencySummary? ServiceTime,
    LatencySummary? TimeToFirstToken,
    double? CpuMicrosecondsPerRequest,
    double? CpuWithStoreMicrosecondsPerRequest,
    double? GeneratorCpuMicrosecondsPerRequest,
    double? AllocatedBytesPerRequest,
    double? MetricAllocatedBytesPerRequest,
    double? PeakRssMb,
    double? StorePeakRssMb,
    double LifetimePeakRssMb,
    double? PeakSharedWithStoreMb,
    long Requests,
    long Failed,
    long Dropped,
    long Interrupted,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> ResponseTags)
{
    public static TargetSummary From(string system, string sentAs, IReadOnlyList<WindowResult> windows, double? peakRssMb, double? storePeakRssMb, double lifetimePeakRssMb, double? peakSharedWithStoreMb = null) => new(
        system,
        sentAs,
        windows.Count,
        Median.Of(windows.Select(w => w.Report.ThroughputPerSecond)),
        MedianSummary.Of(windows.Select(w => w.Report.Latency)),
        MedianSummary.Of(windows.Select(w => w.Report.ServiceTime)),
        MedianSummary.Of(windows.Select(w => w.Report.TimeToFirstToken)),
        Median.Of(windows.Select(w => w.CpuMicrosecondsPerRequest)),
        Median.Of(windows.Select(w => w.CpuWithStoreMicrosecondsPerRequest)),
        Median.Of(windows.Select(w => w.GeneratorCpuMicrosecondsPerRequest)),
        Median.Of(windows.Select(w => w.AllocatedBytesPerRequest)),
        Median.Of(windows.Select(w => w.MetricAllocatedBytesPerRequest)),
        peakRssMb,
        storePeakRssMb,
        lifetimePeakRssMb,
        peakSharedWithStoreMb,
        windows.Sum(w => w.Requests),
        windows.Sum(w => w.Report.Requests.Failed),
        windows.Sum(w => w.Report.Requests.Dropped),
        windows.Sum(w => w.Report.Requests.Interrupted),
        Sum(windows.Select(w => w.Report.Errors)),
        Sum(windows.Select(w => w.Report.ResponseTags)));

    /// <summary>The peak RSS that stands for "the gateway with its store": its own, plus its store process's if separate.</summary>
    public double? PeakRssWithStoreMb => PeakRssMb is { } own ? own + (StorePeakRssMb ?? 0) : null;

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in counts.SelectMany(c => c))
        {
            total[key] = total.GetValueOrDefault(key) + value;
        }

        return total;
    }
}
