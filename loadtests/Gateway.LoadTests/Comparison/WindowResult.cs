using LlmGateway.LoadTests.Hosting;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// One measured window: one system, one round. Costs are deltas over the window plus its cool-down and settle, divided
/// by the window's measured requests (succeeded or failed: a failed request costs the proxy too).
/// </summary>
/// <param name="CpuSeconds">User + system CPU time of the system's process (<c>/proc/&lt;pid&gt;/stat</c>).</param>
/// <param name="StoreCpuSeconds">The same for the gateway's store process, when it has one; null otherwise.</param>
/// <param name="GeneratorCpuSeconds">The generator's own CPU time in the window: its share of the shared cores.</param>
/// <param name="Runtime">The process's allocated bytes and GC counts in the window (its own counter, asked over stdin).</param>
/// <param name="SettleSeconds">How long after the cool-down the system took to fall quiet before the "after" reading.</param>
/// <param name="MetricAllocatedBytes">
/// Gateway only: the delta of <c>dotnet_gc_heap_total_allocated_bytes_total</c> on its <c>/metrics</c>, a cross-check of
/// <see cref="Runtime"/> that also includes one scrape's own allocations.
/// </param>
internal sealed record WindowResult(
    int Round,
    string System,
    string SentAs,
    string LoadAverageBefore,
    double CpuSeconds,
    double? StoreCpuSeconds,
    double GeneratorCpuSeconds,
    RuntimeStats Runtime,
    double? MetricAllocatedBytes,
    LoadTestReport Report,
    double SettleSeconds = 0)
{
    public long Requests => Report.Requests.Measured;

    public double? CpuMicrosecondsPerRequest => PerRequest(CpuSeconds * 1e6);

    /// <summary>The process and its separate store together: what the embedded store's gateway would spend.</summary>
    public double? CpuWithStoreMicrosecondsPerRequest => PerRequest((CpuSeconds + (StoreCpuSeconds ?? 0)) * 1e6);

    public double? GeneratorCpuMicrosecondsPerRequest => PerRequest(GeneratorCpuSeconds * 1e6);

    /// <summary>
    /// Null for a window whose allocation counter went backwards: under Server GC with DATAS the runtime's total
    /// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, and the <c>/metrics</c> counter read from it) sums only the
    /// heaps active at the moment, so it drops when DATAS retires a heap and jumps back when it returns one
    /// (dotnet/runtime#131069, fixed after .NET 10.0.12). A drop is plainly wrong and is left out of the median; a
    /// jump up cannot be told apart from real allocation, which is one reason the figure is a median over rounds.
    /// </summary>
    public double? AllocatedBytesPerRequest => Runtime.AllocatedBytes >= 0 ? PerRequest(Runtime.AllocatedBytes) : null;

    public double? MetricAllocatedBytesPerRequest => MetricAllocatedBytes is { } bytes && bytes >= 0 ? PerRequest(bytes) : null;

    private double? PerRequest(double total) => Requests > 0 ? total / Requests : null;
}
