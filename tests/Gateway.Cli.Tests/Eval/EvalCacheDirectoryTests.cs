namespace LlmGateway.Cli.Tests.Eval;

/// <summary>A cache directory that cannot be used is a usage error before any gateway call is paid for, not a crash.</summary>
public sealed class EvalCacheDirectoryTests
{
    [Fact]
    public async Task A_cache_dir_that_is_a_file_exits_2_naming_it_before_any_call()
    {
        using var workspace = await EvalWorkspace.CreateAsync(cases: 3);
        var file = workspace.PathOf("cache-is-a-file");
        await File.WriteAllTextAsync(file, "not a folder", TestContext.Current.CancellationToken);
        using var api = FakeEvalGateway.Create();

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--cache-dir", file));

        run.AssertExit(2);
        var line = Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"error: Cannot use the cache directory {file}: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(unusable_cache_dir)", line, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.RequestUri!.AbsolutePath == "/v1/chat/completions");
        Assert.DoesNotContain("Result:", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_file_that_cannot_be_opened_exits_2()
    {
        using var workspace = await EvalWorkspace.CreateAsync(cases: 3);
        var cache = workspace.PathOf("cache");
        // Its executions.jsonl is a folder: neither readable nor writable, whoever runs the tests (root included).
        Directory.CreateDirectory(Path.Combine(cache, "executions.jsonl"));
        using var api = FakeEvalGateway.Create();

        var run = await api.RunAsync(workspace.RunArgs("2", "1", "--cache-dir", cache));

        run.AssertExit(2);
        Assert.Contains("(unusable_cache_dir)", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.RequestUri!.AbsolutePath == "/v1/chat/completions");
    }
}
