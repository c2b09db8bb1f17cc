using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using LlmGateway.Providers;
using LlmGateway.Proxy;

namespace LlmGateway.Benchmarks.Proxy;

/// <summary>
/// Rewriting the public model name to the upstream one (an Azure deployment here), as
/// RoutingStage (through UpstreamBodies) does when <see cref="CatalogModel.NeedsRename"/>: scan, then copy the bytes
/// around the <c>model</c> token into a pooled buffer. The baseline is the obvious DOM
/// round trip, so the report's ratio shows what the splice saves.
/// </summary>
[MemoryDiagnoser]
public class ModelSplicerBenchmarks
{
    private byte[] _body = [];
    private string _upstreamModel = "";
    private byte[] _upstreamModelJson = [];

    [ParamsAllValues]
    public BodySize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = ChatBodies.Create(Size);
        var azure = new Provider("azure", new ProviderOptions
        {
            Kind = "azure-openai",
            BaseUrl = "https://contoso.openai.azure.com",
            ApiVersion = "2024-10-21",
        });
        var model = new CatalogModel(ChatBodies.Model, azure, "prod-gpt-4o-mini-2024-07-18", ownedBy: null);
        _upstreamModel = model.UpstreamModel;
        _upstreamModelJson = model.UpstreamModelJson.ToArray();

        // Both ways must produce the same document, or the comparison means nothing.
        var naive = JsonNode.Parse(NaiveRewrite())!;
        var scan = RequestBodyScanner.Scan(_body);
        using var spliced = new PooledBuffer(_body.Length + _upstreamModelJson.Length);
        ModelSplicer.Splice(_body, scan, _upstreamModelJson, spliced);
        if (!JsonNode.DeepEquals(naive, JsonNode.Parse(spliced.WrittenSpan)) || (string?)naive["model"] != _upstreamModel)
        {
            throw new InvalidOperationException($"The splice of the {Size} body differs from the JsonNode rewrite.");
        }
    }

    [Benchmark(Baseline = true)]
    public int JsonNodeRewrite() => NaiveRewrite().Length;

    [Benchmark]
    public int ScanAndSplice()
    {
        var scan = RequestBodyScanner.Scan(_body);
        using var rewritten = new PooledBuffer(_body.Length + _upstreamModelJson.Length);
        ModelSplicer.Splice(_body, scan, _upstreamModelJson, rewritten);
        return rewritten.Length;
    }

    // Parse to a DOM, read the model for the catalog look-up, replace it, serialise back to UTF-8.
    private byte[] NaiveRewrite()
    {
        var node = JsonNode.Parse(_body)!;
        _ = node["model"]!.GetValue<string>();
        node["model"] = _upstreamModel;
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
