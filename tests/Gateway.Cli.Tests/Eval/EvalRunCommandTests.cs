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
    [InlineData("--repeats", "2000000000", "--repeats '2000000000' is neither a whole number from 1 to 1000 nor auto.")]
    [InlineData("--repeats", "1001", "--repeats '1001' is neither a whole number from 1 to 1000 nor auto.")]
    [InlineData("--concurrency", "257", "--concurrency must be from 1 to 256.")]
    [InlineData("--concurrency", "2000000000", "--concurrency must be from 1 to 256.")]
    public async Task Numbers_beyond_the_configs_bounds_are_usage_errors_before_anything_is_read(string option, string value, string message)
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync("eval", "run", "--config", "no-such-eval.yaml", "--candidate", "2", "--baseline", "1", option, value);

        run.AssertExit(2);
        Assert.Contains($"error: {message} (usage_error)", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid_dataset", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_max_calls_beyond_the_configs_bound_is_a_usage_error()
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync("eval", "run", "--config", "no-such-eval.yaml", "--candidate", "2", "--baseline", "1", "--repeats", "auto", "--max-calls", "10000001");

        run.AssertExit(2);
        Assert.Contains("--max-calls must be from 2 to 10000000.", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bounds_themselves_are_accepted()
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");
        var path = Path.Combine(Path.GetTempPath(), "no-such-eval-" + Guid.NewGuid().ToString("N") + ".yaml");

        var run = await api.RunAsync("eval", "run", "--config", path, "--candidate", "2", "--baseline", "1", "--repeats", "1000", "--concurrency", "256");

        // Past the command line: the missing config is the first problem.
        run.AssertExit(2);
        Assert.Contains("(unreadable_file)", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("usage_error", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_datasets_of_one_file_name_sharing_a_case_id_are_an_invalid_dataset()
    {
        using var workspace = await EvalWorkspace.CreateAsync(cases: 2);
        foreach (var folder in new[] { "a", "b" })
        {
            Directory.CreateDirectory(workspace.PathOf(folder));
            File.Copy(workspace.PathOf("golden.jsonl"), Path.Combine(workspace.PathOf(folder), "golden.jsonl"));
        }

        var config = workspace.PathOf("twice.yaml");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(workspace.Config, TestContext.Current.CancellationToken)).Replace("  - golden.jsonl", "  - a/golden.jsonl\n  - b/golden.jsonl", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        using var api = FakeEvalGateway.Create();

        var run = await api.RunAsync("eval", "run", "--config", config, "--candidate", "2", "--baseline", "1", "--gateway-key", FakeEvalGateway.GatewayKey, "--concurrency", "1");

        run.AssertExit(2);
        Assert.Contains("appears in more than one dataset with the same file name. (Parameter 'datasets') (invalid_dataset)", run.Err, StringComparison.Ordinal);
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
