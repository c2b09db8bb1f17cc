using BenchmarkDotNet.Attributes;
using LlmGateway.Providers;

namespace LlmGateway.Benchmarks.Providers;

/// <summary>
/// The model look-up every request makes, on a frozen catalog of 50 models across three
/// providers. Hit and miss should both be a few nanoseconds and allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class ModelCatalogBenchmarks
{
    private static readonly string[] OpenAIModels =
    [
        "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
        "gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4o-mini-2024-07-18",
        "gpt-4-turbo", "gpt-3.5-turbo", "o1", "o1-mini", "o3", "o3-mini", "o4-mini",
        "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002",
    ];

    private static readonly string[] AzureModels =
    [
        "azure-gpt-4o", "azure-gpt-4o-mini", "azure-gpt-4.1", "azure-gpt-4.1-mini", "azure-o3-mini",
        "azure-o4-mini", "azure-text-embedding-3-small", "azure-text-embedding-3-large",
        "eu-gpt-4o", "eu-gpt-4o-mini", "eu-gpt-4.1-mini", "eu-text-embedding-3-small",
    ];

    private static readonly string[] SelfHostedModels =
    [
        "llama-3.1-8b-instruct", "llama-3.1-70b-instruct", "llama-3.3-70b-instruct",
        "qwen2.5-7b-instruct", "qwen2.5-32b-instruct", "qwen2.5-coder-32b-instruct",
        "mistral-7b-instruct-v0.3", "mixtral-8x7b-instruct", "mistral-small-24b-instruct",
        "phi-4", "phi-4-mini-instruct", "gemma-2-9b-it", "gemma-3-27b-it",
        "deepseek-r1-distill-qwen-32b", "deepseek-r1-distill-llama-70b", "nomic-embed-text-v1.5", "bge-m3",
    ];

    private ModelCatalog _catalog = null!;
    private string _hit = "";
    private string _miss = "";

    [GlobalSetup]
    public void Setup()
    {
        var options = new CatalogOptions
        {
            Providers =
            {
                ["openai"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" },
                ["azure"] = new ProviderOptions { Kind = "azure-openai", BaseUrl = "https://contoso.openai.azure.com", ApiVersion = "2024-10-21" },
                ["vllm"] = new ProviderOptions { Kind = "openai-compatible", BaseUrl = "http://vllm:8000/v1" },
            },
        };
        foreach (var name in OpenAIModels)
        {
            options.Models[name] = new CatalogModelOptions { Provider = "openai" };
        }

        foreach (var name in AzureModels)
        {
            options.Models[name] = new CatalogModelOptions { Provider = "azure", UpstreamModel = "prod-" + name };
        }

        foreach (var name in SelfHostedModels)
        {
            options.Models[name] = new CatalogModelOptions { Provider = "vllm" };
        }

        _catalog = new ModelCatalog(options);

        // Fresh string instances, as the scanner hands them over: no reference-equality shortcut.
        _hit = new string("gpt-4o-mini".AsSpan());
        _miss = new string("gpt-4o-mini-2025-01-31".AsSpan());
        if (_catalog.Models.Count != 50 || !_catalog.TryGetModel(_hit, out _) || _catalog.TryGetModel(_miss, out _))
        {
            throw new InvalidOperationException("The sample catalog is not what the benchmark expects.");
        }
    }

    [Benchmark]
    public bool TryGetModelHit() => _catalog.TryGetModel(_hit, out _);

    [Benchmark]
    public bool TryGetModelMiss() => _catalog.TryGetModel(_miss, out _);
}
