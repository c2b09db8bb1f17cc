using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Reporting;

/// <summary><c>soak</c>: the gateway's memory from the end of the warmup to the end of the run, and the load report.</summary>
/// <param name="RssGrowthPercent">Last reading over the first, minus 1, in percent.</param>
/// <param name="Load">The load's own report; null when a process ended before the load started.</param>
/// <param name="Loss">The processes that ended during the run and stopped it; null when none did.</param>
internal sealed record SoakReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    IReadOnlyList<MemoryPoint> Memory,
    double RssStartMb,
    double RssEndMb,
    double RssMaxMb,
    double RssGrowthPercent,
    double? GcHeapStartMb,
    double? GcHeapEndMb,
    double? GcHeapGrowthPercent,
    LoadTestReport? Load,
    double? WithStoreStartMb = null,
    double? WithStoreEndMb = null,
    double? WithStoreMaxMb = null,
    double? WithStoreGrowthPercent = null,
    ChildLoss? Loss = null);
