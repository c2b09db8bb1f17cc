namespace LlmGateway.Eval.Tests;

public sealed class EvalAssemblyTests
{
    [Fact]
    public void The_engine_assembly_is_named_for_the_cli_to_load() =>
        Assert.Equal("Gateway.Eval", typeof(EvalAssembly).Assembly.GetName().Name);
}
