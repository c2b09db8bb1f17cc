using System.Runtime;

namespace LlmGateway.LoadTests.Hosting;

/// <summary>
/// A child's managed-runtime counters at one moment. <see cref="AllocatedBytes"/> is
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/> with <c>precise: true</c>: the same counter as the
/// <c>System.Runtime</c> meter's <c>dotnet.gc.heap.total_allocated</c> (<c>dotnet_gc_heap_total_allocated_bytes_total</c>
/// on <c>/metrics</c>), but including the bytes still in threads' allocation contexts, which the imprecise reading
/// leaves out (up to about 8 KB per thread). <see cref="JitCompiledMethods"/> counts every compilation, re-compilations
/// at a higher tier included: while it still climbs under load, the process is not warm. <see cref="GcPause"/> is
/// <see cref="GC.GetTotalPauseDuration"/>: every request in flight during a pause waits it out, so a proxy that collects
/// more often pays it in its tail.
/// </summary>
internal sealed record RuntimeStats(long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long JitCompiledMethods, TimeSpan GcPause)
{
    public static RuntimeStats OfThisProcess() => new(
        GC.GetTotalAllocatedBytes(precise: true),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        JitInfo.GetCompiledMethodCount(currentThread: false),
        GC.GetTotalPauseDuration());

    /// <summary>What happened between <paramref name="before"/> and this reading.</summary>
    public RuntimeStats Since(RuntimeStats before) => new(
        AllocatedBytes - before.AllocatedBytes,
        Gen0Collections - before.Gen0Collections,
        Gen1Collections - before.Gen1Collections,
        Gen2Collections - before.Gen2Collections,
        JitCompiledMethods - before.JitCompiledMethods,
        GcPause - before.GcPause);
}
