using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Running;

/// <summary>A cache directory that cannot be used is said before any call; one that fails mid-run stops caching, not the run.</summary>
public sealed class ExecutionCacheFailureTests
{
    private static readonly PromptTarget Baseline = new("support-reply", 3);
    private static readonly PromptTarget Candidate = new("support-reply", 4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EvalDataset Dataset(int cases)
    {
        var lines = Enumerable.Range(0, cases).Select(i => $$"""{"id":"c{{i}}","vars":{"n":{{i}}},"assert":[{"type":"contains","value":"ok","metric":"accuracy"}]}""");
        return DatasetReader.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "golden.jsonl");
    }

    private static EvalConfig Config(string cacheDir) => new()
    {
        Datasets = ["golden.jsonl"],
        Metrics = [new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) }],
        Concurrency = 1,
        CacheDirectory = cacheDir,
    };

    [Fact]
    public async Task A_cache_write_that_fails_mid_run_is_said_once_and_the_run_goes_on_uncached()
    {
        var dir = Directory.CreateTempSubdirectory("evalcache-").FullName;
        try
        {
            var file = new FailingWriteStream(succeeding: 2);
            var warnings = new List<string>();
            var executor = new FakeCaseExecutor((_, _) => new CaseExecution { Output = "ok", LatencyMs = 10 });
            var runner = new EvalRunner(executor, ScorerRegistry.CreateDefault(), new EvalRunnerOptions
            {
                CacheWriteFailed = warnings.Add,
                OpenCacheFile = _ => file,
            });

            var result = await runner.RunAsync(Config(dir), [Dataset(4)], Baseline, Candidate, Ct);

            Assert.Equal(8, executor.Calls.Count);
            Assert.Equal(8, result.Records.Count);
            Assert.All(result.Records, r => Assert.True(r.Execution.Succeeded, r.Execution.Error));
            Assert.True(result.Calls.Complete);
            var warning = Assert.Single(warnings);
            Assert.Contains(FailingWriteStream.Failure, warning, StringComparison.Ordinal);
            Assert.Contains("not cached", warning, StringComparison.Ordinal);
            // Two lines written, the third failed, and no write was tried after it.
            Assert.Equal(3, file.Writes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_cache_directory_that_is_a_file_is_refused_when_opened_naming_it()
    {
        var file = Path.Combine(Path.GetTempPath(), "evalcache-file-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, "not a folder", Ct);
        try
        {
            var executor = new FakeCaseExecutor((_, _) => new CaseExecution { Output = "ok" });
            var runner = new EvalRunner(executor, ScorerRegistry.CreateDefault());

            var refused = await Assert.ThrowsAsync<ExecutionCacheException>(() => runner.RunAsync(Config(file), [Dataset(2)], Baseline, Candidate, Ct));

            Assert.Contains(file, refused.Message, StringComparison.Ordinal);
            Assert.Empty(executor.Calls);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_cache_file_that_cannot_be_opened_for_writing_is_refused_when_opened()
    {
        var dir = Directory.CreateTempSubdirectory("evalcache-").FullName;
        try
        {
            // executions.jsonl is a folder: it can be neither read as lines nor appended to (whoever runs the tests).
            Directory.CreateDirectory(Path.Combine(dir, ExecutionCache.FileName));

            var refused = await Assert.ThrowsAsync<ExecutionCacheException>(() => ExecutionCache.OpenAsync(dir, Ct));

            Assert.Contains(dir, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
