using System.Text;

namespace LlmGateway.Cli.Tests.Eval;

/// <summary>A temporary folder with an eval config and a dataset of cases that assert "acme" on the accuracy metric.</summary>
internal sealed class EvalWorkspace : IDisposable
{
    private EvalWorkspace(string folder) => Folder = folder;

    public string Folder { get; }

    public string Config => Path.Combine(Folder, "eval.yaml");

    public static async Task<EvalWorkspace> CreateAsync(int cases = 20, string? cacheDir = null)
    {
        var workspace = new EvalWorkspace(Directory.CreateTempSubdirectory("gatewayctl-eval-unit-").FullName);
        var dataset = new StringBuilder();
        for (var i = 1; i <= cases; i++)
        {
            dataset.Append("{\"id\":\"c").Append(i).Append("\",\"messages\":[{\"role\":\"user\",\"content\":\"question ").Append(i)
                .Append("\"}],\"assert\":[{\"type\":\"icontains\",\"value\":\"acme\",\"metric\":\"accuracy\"}]}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(workspace.Folder, "golden.jsonl"), dataset.ToString(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(workspace.Config, $"""
            prompt: {FakeEvalGateway.Prompt}
            datasets:
              - golden.jsonl
            metrics:
              accuracy:
                direction: higher
                tolerance: absolute
                max_regression: 0.02
            seed: 7
            resamples: 200
            {(cacheDir is null ? "" : $"cache_dir: {cacheDir}")}
            """, TestContext.Current.CancellationToken);
        return workspace;
    }

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary><c>eval run</c>'s arguments for this workspace, one call in flight, then <paramref name="extra"/>.</summary>
    public string[] RunArgs(string candidate, string baseline, params string[] extra) =>
        ["eval", "run", "--config", Config, "--candidate", candidate, "--baseline", baseline, "--gateway-key", FakeEvalGateway.GatewayKey, "--concurrency", "1", .. extra];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is not the test's failure.
        }
    }
}
