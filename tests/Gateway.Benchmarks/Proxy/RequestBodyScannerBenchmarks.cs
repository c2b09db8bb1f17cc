using BenchmarkDotNet.Attributes;
using LlmGateway.Proxy;

namespace LlmGateway.Benchmarks.Proxy;

/// <summary>
/// The one pass every proxied request pays: validate the whole body and find <c>model</c> and
/// <c>stream</c>. It should scale linearly with the body and allocate only the model string.
/// </summary>
[MemoryDiagnoser]
public class RequestBodyScannerBenchmarks
{
    private byte[] _body = [];

    [ParamsAllValues]
    public BodySize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = ChatBodies.Create(Size);
        var scan = RequestBodyScanner.Scan(_body);
        if (!scan.IsValid || scan.Model != ChatBodies.Model)
        {
            throw new InvalidOperationException($"The {Size} body did not scan: {scan.Error ?? scan.Model}.");
        }
    }

    [Benchmark]
    public string? Scan() => RequestBodyScanner.Scan(_body).Model;
}
