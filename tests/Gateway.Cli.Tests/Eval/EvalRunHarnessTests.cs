namespace LlmGateway.Cli.Tests.Eval;

/// <summary>The in-process fake gateway gives the verdicts the other eval tests rely on.</summary>
public sealed class EvalRunHarnessTests
{
    [Fact]
    public async Task The_same_version_passes_and_stores_and_a_version_that_loses_the_name_fails()
    {
        using var workspace = await EvalWorkspace.CreateAsync();
        using var api = FakeEvalGateway.Create();

        var pass = await api.RunAsync(workspace.RunArgs("1", "1"));
        var fail = await api.RunAsync(workspace.RunArgs("2", "1"));

        pass.AssertExit(0);
        Assert.Contains("Result: PASS", pass.Out, StringComparison.Ordinal);
        Assert.Contains("Stored as evr_test", pass.Out, StringComparison.Ordinal);
        fail.AssertExit(100);
        Assert.Contains("Result: FAIL (accuracy)", fail.Out, StringComparison.Ordinal);
    }
}
