using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Fluid;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmGateway.Benchmarks.Rewriting;

// TEMPORARY: allocation breakdown; deleted before hand-off.
[MemoryDiagnoser]
public class AllocProbeTemp
{
    private byte[] _body = [];
    private PreparedBundle _bundle = null!;
    private PromptRenderer _renderer = null!;
    private RequestScan _scan = null!;
    private string[] _contents = [];
    private readonly TemplateOptions _options = new();
    private readonly ArrayBufferWriterSink _sink = new();

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
            Models = { ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "openai" } },
        });
        var bundle = new PromptBundle
        {
            Id = "x", Name = "support-bot", Version = 3, Author = "b", Model = "gpt-4o-mini",
            Messages = [new PromptMessageTemplate("system", "You are {{ company }}'s support agent. Answer in {{ language }}.")],
            Variables = [new PromptVariable("company", true, null, null), new PromptVariable("language", false, "English", null)],
            Params = new PromptParams { Temperature = 0.2, MaxTokens = 400, ClientOverridable = ["temperature"] },
        };
        _bundle = new BundlePreparer(new PromptTemplateAnalyzer(), catalog).Prepare(bundle).Bundle!;
        _scan = RequestBodyScanner.Scan(_body);
        _contents = _renderer.RenderAsync(_bundle, _scan).AsTask().Result.Contents!;
        Console.WriteLine($"PROBE BodyKb={BodyKb} bytes={_body.Length} messages={_scan.Messages.Count} msgCapacity={_scan.Messages.Capacity} propCapacity={_scan.Properties.Capacity}");
    }

    [Benchmark] public int ScanOnly() => RequestBodyScanner.Scan(_body).Messages.Count;

    [Benchmark] public int RenderOnly()
    {
        var pending = _renderer.RenderAsync(_bundle, _scan);
        return pending.IsCompletedSuccessfully ? pending.Result.Contents!.Length : 0;
    }

    [Benchmark] public int NewTemplateContext() => new TemplateContext(_options).GetHashCode();

    [Benchmark] public int FluidRenderOnly()
    {
        var context = new TemplateContext(_options);
        context.SetValue("company", "Caf\u00e9 \"Lumi\u00e8re\" & Co");
        context.SetValue("language", "fran\u00e7ais");
        var pending = _bundle.Messages[0].Template.RenderAsync(context, NullEncoder.Default);
        return pending.IsCompletedSuccessfully ? pending.Result.Length : 0;
    }

    [Benchmark] public int RewriteOnly()
    {
        using var rewritten = new PooledBuffer(_body.Length + 1024);
        ChatRequestRewriter.Rewrite(_body, _scan, _bundle, _contents, rewritten);
        return rewritten.Length;
    }

    [Benchmark] public int IterateParameters()
    {
        var n = 0;
        foreach (var p in _bundle.Parameters) { n += p.PropertyJson.Length; }
        return n;
    }

    [Benchmark] public int NewPooledBufferOnly()
    {
        using var b = new PooledBuffer(_body.Length + 1024);
        return Consume(b);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Consume(PooledBuffer b) => b.Length;

    [Benchmark] public int Utf8JsonWriterOnly()
    {
        using var writer = new Utf8JsonWriter(_sink, BundlePreparer.WriterOptions);
        writer.WriteStartObject();
        writer.WriteEndObject();
        writer.Flush();
        _sink.Reset();
        return 1;
    }

    private sealed class ArrayBufferWriterSink : System.Buffers.IBufferWriter<byte>
    {
        private readonly byte[] _a = new byte[4096];
        private int _n;
        public void Advance(int count) => _n += count;
        public Memory<byte> GetMemory(int sizeHint = 0) => _a.AsMemory(_n);
        public Span<byte> GetSpan(int sizeHint = 0) => _a.AsSpan(_n);
        public void Reset() => _n = 0;
    }
}
