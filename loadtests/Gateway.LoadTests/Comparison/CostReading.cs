using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Hosting;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// The cumulative cost counters of one target at one moment: CPU time of its process (and of its separate store, if
/// any) from <c>/proc</c>, the generator's own CPU time, and the process's allocated bytes. A window's cost is the
/// difference of two readings, one taken just before it and one just after its cool-down.
/// </summary>
internal sealed record CostReading(TimeSpan Cpu, TimeSpan? StoreCpu, TimeSpan GeneratorCpu, RuntimeStats Runtime)
{
    public static async Task<CostReading> TakeAsync(CompareTarget target)
    {
        var runtime = await target.Process.ReadRuntimeStatsAsync();
        return new CostReading(target.Process.ReadCpuTime(), target.Store?.ReadCpuTime(), ProcessCpu.ReadSelf(), runtime);
    }
}
