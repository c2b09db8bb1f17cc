namespace LlmGateway.Cli.Tests.Eval;

/// <summary>
/// What gatewayctl reads from its process environment: the commit a CI job runs at is among it, so a stored evaluation
/// run records its <c>git_sha</c> (the CLI once copied only the connection's and the key's variables).
/// </summary>
public sealed class EnvironmentReadTests
{
    [Fact]
    public void The_commit_variables_are_read_from_the_process()
    {
        // A name only this test sets (CI_COMMIT_SHA is GitLab's; the suite never runs there).
        var before = Environment.GetEnvironmentVariable("CI_COMMIT_SHA");
        Environment.SetEnvironmentVariable("CI_COMMIT_SHA", "0123abcd");
        try
        {
            var read = GatewayCtl.ReadEnvironment(null);

            Assert.Equal("0123abcd", read["CI_COMMIT_SHA"]);
            Assert.All(LlmGateway.Cli.Eval.EvalRunRecord.GitShaVariables, name => Assert.True(read.ContainsKey(name), name));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CI_COMMIT_SHA", before);
        }
    }
}
