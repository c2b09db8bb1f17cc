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

    [Fact]
    public void The_child_gets_no_secret_of_the_gateways_environment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = "/usr/bin",
            ["HOME"] = "/home/gw",
            ["LC_ALL"] = "C.UTF-8",
            ["DOTNET_GCgen0size"] = "0x1000000",
            ["OPENAI_API_KEY"] = "sk-proj-0123456789abcdefghij",
            ["Gateway__Admin__Tokens__ops__Token"] = "admin-secret",
            ["Gateway__Providers__openai__ApiKey"] = "sk-other",
            ["REDIS_URL"] = "redis://:pw@redis:6379",
        };

        EmbeddedStoreProcess.ChildEnvironment(environment);

        Assert.Equal(["DOTNET_GCgen0size", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "DOTNET_gcServer", "HOME", "LC_ALL", "PATH"], environment.Keys.Order(StringComparer.Ordinal));
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
