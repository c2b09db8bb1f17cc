namespace LlmGateway.Tests.Security;

/// <summary>
/// Tests that measure the process's managed heap run alone, after the parallel ones: other tests'
/// allocations would blur the measurement, and an 8 MB flood would starve their timing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SamplingMemoryIsolation
{
    public const string Name = "Sampling memory";
}
