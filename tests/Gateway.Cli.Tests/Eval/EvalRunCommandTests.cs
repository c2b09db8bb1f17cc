using System.Net;
using LlmGateway.Cli.Eval;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Eval;

public sealed class EvalRunCommandTests
{
    [Fact]
    public async Task A_missing_config_is_a_usage_error_before_anything_is_sent()
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync("eval", "run", "--prompt", "bot", "--candidate", "2", "--baseline", "1");

        run.AssertExit(2);
        Assert.Contains("--config", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_config_file_that_does_not_exist_exits_2_with_the_path()
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");
        var path = Path.Combine(Path.GetTempPath(), "no-such-eval-" + Guid.NewGuid().ToString("N") + ".yaml");

        var run = await api.RunAsync("eval", "run", "--config", path, "--prompt", "bot", "--candidate", "2", "--baseline", "1", "--json", "out.json");

        run.AssertExit(2);
        Assert.Contains(path, run.Err, StringComparison.Ordinal);
        Assert.Contains("(unreadable_file)", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Theory]
    [InlineData("stable")]
    [InlineData("stable@")]
    [InlineData("latest@production")]
    [InlineData("0")]
    [InlineData("v")]
    [InlineData("stable@prod@eu")]
    public async Task A_baseline_that_is_neither_a_version_nor_stable_at_env_is_refused(string text)
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync("eval", "run", "--config", "eval.yaml", "--candidate", "2", "--baseline", text);

        run.AssertExit(2);
        Assert.Contains("stable@<env>", run.Err, StringComparison.Ordinal);
        Assert.Contains("(usage_error)", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Theory]
    [InlineData("--repeats", "0")]
    [InlineData("--concurrency", "0")]
    [InlineData("--repeats", "two")]
    [InlineData("--candidate", "latest")]
    public async Task Bad_numbers_are_usage_errors(string option, string value)
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync("eval", "run", "--config", "eval.yaml", "--candidate", "2", "--baseline", "1", option, value);

        run.AssertExit(2);
        Assert.Contains(option, run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3", 3, null)]
    [InlineData("v12", 12, null)]
    [InlineData("stable@production", null, "production")]
    [InlineData("STABLE@staging", null, "staging")]
    public void Baselines_parse_as_a_version_or_an_environment(string text, int? version, string? environment)
    {
        Assert.True(BaselineSpec.TryParse(text, out var spec));
        Assert.Equal(version, spec.Version);
        Assert.Equal(environment, spec.Environment);
    }
}
