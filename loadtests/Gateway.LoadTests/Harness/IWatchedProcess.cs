namespace LlmGateway.LoadTests.Harness;

/// <summary>A process whose CPU time and memory a measurement counts: one the harness started, or one a child started.</summary>
internal interface IWatchedProcess
{
    int Pid { get; }

    ProcessMemory ReadMemory();

    TimeSpan ReadCpuTime();
}
