namespace LlmGateway.Cli.Tests.Infrastructure;

/// <summary>One gatewayctl run: its exit code and what it printed.</summary>
internal sealed record CliRun(int Exit, string Out, string Err)
{
    public CliRun AssertExit(int expected)
    {
        Assert.True(Exit == expected, $"Expected exit {expected}, got {Exit}.\nstdout:\n{Out}\nstderr:\n{Err}");
        return this;
    }
}
