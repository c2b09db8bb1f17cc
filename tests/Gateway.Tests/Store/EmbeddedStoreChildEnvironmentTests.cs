using LlmGateway.Store;

namespace LlmGateway.Tests.Store;

/// <summary>The store child's runtime settings: a small heap, no spinning pool threads, and an operator's own setting kept.</summary>
public sealed class EmbeddedStoreChildEnvironmentTests
{
    [Fact]
    public void The_child_runs_the_workstation_collector_and_pool_threads_that_do_not_spin()
    {
        var environment = new Dictionary<string, string?> { ["PATH"] = "/usr/bin", ["DOTNET_gcServer"] = "1" };

        EmbeddedStoreProcess.ChildEnvironment(environment);

        Assert.Equal("0", environment["DOTNET_gcServer"]);
        Assert.Equal("0", environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"]);
        Assert.Equal("/usr/bin", environment["PATH"]);
    }

    [Theory]
    [InlineData("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit")]
    [InlineData("COMPlus_ThreadPool_UnfairSemaphoreSpinLimit")]
    public void An_operators_spin_limit_is_kept(string name)
    {
        var environment = new Dictionary<string, string?> { [name] = "70" };

        EmbeddedStoreProcess.ChildEnvironment(environment);

        Assert.Equal("70", environment[name]);
        Assert.Single(environment, e => e.Key.EndsWith("ThreadPool_UnfairSemaphoreSpinLimit", StringComparison.Ordinal));
    }
}
