using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmGateway.Benchmarks.Rewriting;

/// <summary>
/// The whole per-request cost of a <c>prompt:&lt;name&gt;</c> chat request once its bundle is chosen,
/// as <c>RoutingStage</c> pays it: the one scan of the body,
/// binding <c>prompt_variables</c> and rendering the bundle's Liquid system message, and writing
/// the upstream body (rendered message first, client messages and fields copied byte for byte,
/// bundle parameters spliced in) into a <see cref="PooledBuffer"/>, disposed per operation.
/// </summary>
[MemoryDiagnoser]
public class PromptRewriteBenchmarks
{
    private const string UpstreamModel = "gpt-4o-mini";

    private byte[] _body = [];
    private PreparedBundle _bundle = null!;
    private PromptRenderer _renderer = null!;

    /// <summary>The body's size in KiB (1,024 bytes), reached to within a sentence.</summary>
    [Params(1, 32, 256)]
    public int BodyKb { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = PromptBodies.Create(BodyKb * 1024);
        _renderer = new PromptRenderer(NullLogger<PromptRenderer>.Instance);

        var catalog = new ModelCatalog(new CatalogOptions
        {
            Providers = { ["openai"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" } },
            Models = { [UpstreamModel] = new CatalogModelOptions { Provider = "openai" } },
        });
        var bundle = new PromptBundle
        {
            Id = "pb_support-bot_3",
            Name = PromptBodies.Prompt,
            Version = 3,
            Author = "benchmarks",
            CreatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Model = UpstreamModel,
            Messages = [new PromptMessageTemplate("system", "You are {{ company }}'s support agent. Answer in {{ language }}.")],
            Variables =
            [
                new PromptVariable("company", Required: true, Default: null, Description: "The company the agent speaks for."),
                new PromptVariable("language", Required: false, Default: "English", Description: "The language of the answers."),
            ],
            Params = new PromptParams { Temperature = 0.2, MaxTokens = 400, ClientOverridable = ["temperature"] },
            SystemMessagePolicy = SystemMessagePolicies.Keep,
        };
        var (prepared, problem) = new BundlePreparer(new PromptTemplateAnalyzer(), catalog).Prepare(bundle);
        _bundle = prepared ?? throw new InvalidOperationException($"The sample bundle does not prepare: {problem}.");

        Verify();
    }

    [Benchmark]
    public int ScanRenderRewrite()
    {
        var scan = RequestBodyScanner.Scan(_body);

        // Completes synchronously for these templates (Setup checks it), so this takes the
        // result as an await would, without blocking or allocating. An async benchmark method
        // would add a Task<int> per operation that RoutingStage never pays.
        var pending = _renderer.RenderAsync(_bundle, scan);
        var (contents, _) = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

        // About the initial capacity UpstreamBodies gives a rewritten body (client body + upstream model name + 1 KB).
        using var rewritten = new PooledBuffer(_body.Length + 1024);
        ChatRequestRewriter.Rewrite(_body, scan, _bundle, contents!, rewritten);
        return rewritten.Length;
    }

    // The benchmark must not be able to measure a broken path: check the output once, in full.
    private void Verify()
    {
        var scan = RequestBodyScanner.Scan(_body);
        if (!scan.IsValid || scan.Model != PromptBodies.Model || scan.Variables.Length != 2 || scan.Messages.Length < 3)
        {
            throw new InvalidOperationException($"The {BodyKb} KB body did not scan: {scan.Error ?? scan.Model}.");
        }

        var pending = _renderer.RenderAsync(_bundle, scan);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Rendering did not complete synchronously; the benchmark would block on it.");
        }

        var (contents, renderError) = pending.Result;
        if (renderError is not null)
        {
            throw new InvalidOperationException($"Rendering failed: {renderError.Body.Message}");
        }

        using var rewritten = new PooledBuffer(_body.Length + 1024);
        if (ChatRequestRewriter.Rewrite(_body, scan, _bundle, contents!, rewritten) is { } rewriteError)
        {
            throw new InvalidOperationException($"The rewrite failed: {rewriteError.Body.Message}");
        }

        using var output = JsonDocument.Parse(rewritten.WrittenMemory);
        var root = output.RootElement;
        var messages = root.GetProperty("messages");
        var first = messages[0];
        var expectedSystem = $"You are {PromptBodies.Company}'s support agent. Answer in {PromptBodies.Language}.";
        var problems = new List<string>();
        if (root.GetProperty("model").GetString() != UpstreamModel)
        {
            problems.Add($"model is {root.GetProperty("model")}");
        }

        if (root.TryGetProperty("prompt_variables", out _))
        {
            problems.Add("prompt_variables is still there");
        }

        if (first.GetProperty("role").GetString() != "system" || first.GetProperty("content").GetString() != expectedSystem)
        {
            problems.Add($"the first message is {first}");
        }

        if (messages.GetArrayLength() != PromptBodies.MessageCount(_body) + 1)
        {
            problems.Add($"{messages.GetArrayLength()} messages for {PromptBodies.MessageCount(_body)} sent");
        }

        // The client may override temperature but not max_tokens; user is copied.
        if (root.GetProperty("temperature").GetDouble() != PromptBodies.Temperature
            || root.GetProperty("max_tokens").GetInt32() != 400
            || root.GetProperty("user").GetString() != PromptBodies.User)
        {
            problems.Add("temperature, max_tokens or user is wrong");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The {BodyKb} KB rewrite is wrong: {string.Join("; ", problems)}.");
        }
    }
}
