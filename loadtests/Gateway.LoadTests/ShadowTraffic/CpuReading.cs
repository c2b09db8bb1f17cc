using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// Cumulative CPU seconds at one moment: the gateway, the generator (this process), the mock, the store (when it has a
/// process of its own), the online evaluator (when it has one), every process of the machine, and the machine's interrupt and steal time. A window's use is the
/// difference of two readings.
/// </summary>
internal sealed record CpuReading(double Gateway, double Generator, double Mock, double Store, double Evaluator, double Machine, double Interrupts, double Steal)
{
    public static CpuReading Take(TestBed bed)
    {
        var machine = ProcessCpu.ReadMachine();
        return new(
            bed.Gateway!.ReadCpuTime().TotalSeconds,
            ProcessCpu.ReadSelf().TotalSeconds,
            bed.Mock.ReadCpuTime().TotalSeconds,
            bed.Store?.ReadCpuTime().TotalSeconds ?? 0,
            bed.Evaluator?.ReadCpuTime().TotalSeconds ?? 0,
            machine.Processes.TotalSeconds,
            machine.Interrupts.TotalSeconds,
            machine.Steal.TotalSeconds);
    }

    /// <summary>What processes other than ours used.</summary>
    public double Others => Machine - Gateway - Generator - Mock - Store - Evaluator;

    public CpuReading Since(CpuReading before) => new(
        Gateway - before.Gateway,
        Generator - before.Generator,
        Mock - before.Mock,
        Store - before.Store,
        Evaluator - before.Evaluator,
        Machine - before.Machine,
        Interrupts - before.Interrupts,
        Steal - before.Steal);
}
