namespace LlmGateway.Tests.Infrastructure;

/// <summary>One in-process <c>gatewayctl</c> invocation: its exit code and what it printed.</summary>
public sealed record CliRun(int Exit, string Out, string Err)
{
    public CliRun AssertExit(int expected)
    {
        Assert.True(Exit == expected, $"exit {Exit}, expected {expected}\nstdout: {Out}\nstderr: {Err}");
        return this;
    }
}
