namespace LlmGateway.LoadTests.Reporting;

/// <summary>One reading of the proxy's memory during a soak; <paramref name="GcHeapMb"/> is null when the metric is absent.</summary>
/// <param name="StoreRssMb">The gateway's embedded store's child process, when it has one: the shipped gateway's memory is both.</param>
internal sealed record MemoryPoint(double Seconds, double RssMb, double? GcHeapMb, double? StoreRssMb = null)
{
    /// <summary>The gateway and its store together.</summary>
    public double WithStoreMb => RssMb + (StoreRssMb ?? 0);
}
