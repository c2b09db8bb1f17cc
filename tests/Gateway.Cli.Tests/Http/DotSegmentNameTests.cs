using System.Net;
using LlmGateway.Cli.AdminTokens;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Rollouts;
using LlmGateway.Cli.Tests.Eval;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Http;

/// <summary>
/// '.' and '..' survive escaping (they are unreserved) and Uri collapses them as dot-segments, so <c>prompts/..</c>
/// would address another route: they are refused before any route is built.
/// </summary>
public sealed class DotSegmentNameTests
{
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void Routes_refuse_dot_segments_wherever_a_name_goes(string name)
    {
        Assert.Throws<UsageException>(() => AdminRoutes.Prompt(name));
        Assert.Throws<UsageException>(() => AdminRoutes.Release("bot", name));
        Assert.Throws<UsageException>(() => AdminRoutes.EvalRun("bot", name));
        Assert.Throws<UsageException>(() => AdminRoutes.Key(name));
        Assert.Throws<UsageException>(() => AdminRoutes.Sample(name));
        Assert.Throws<UsageException>(() => RolloutRoutes.Rollout("bot", name));
        Assert.Throws<UsageException>(() => AdminTokenRoutes.AdminToken(name));
    }

    [Theory]
    [InlineData("...", "/admin/v1/prompts/...")]
    [InlineData(".bot", "/admin/v1/prompts/.bot")]
    [InlineData("v1.2", "/admin/v1/prompts/v1.2")]
    [InlineData("a/..", "/admin/v1/prompts/a%2F..")]
    public void Names_with_dots_that_are_not_dot_segments_are_kept(string name, string expected)
    {
        Assert.Equal(expected, AdminRoutes.Prompt(name));
    }

    [Theory]
    [InlineData("release", "show", "bot", "--env", "..")]
    [InlineData("release", "promote", "bot", "--env", ".")]
    [InlineData("release", "show", "..", "--env", "production")]
    [InlineData("prompts", "show", "..")]
    [InlineData("rollout", "status", "bot", "--env", "..")]
    [InlineData("history", "..")]
    public async Task A_dot_segment_as_a_name_or_env_exits_2_before_anything_is_sent(params string[] args)
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync(args);

        run.AssertExit(2);
        Assert.Contains("in a URL path it means a folder, not a name. (usage_error)", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Eval_run_refuses_a_dot_segment_prompt_before_any_call_is_paid_for()
    {
        using var workspace = await EvalWorkspace.CreateAsync(cases: 2);
        using var api = FakeEvalGateway.Create();

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--prompt", ".."));

        run.AssertExit(2);
        Assert.Contains("'..' cannot be a prompt, environment or id", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }
}
