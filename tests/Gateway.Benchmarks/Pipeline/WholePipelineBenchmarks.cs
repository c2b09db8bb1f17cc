using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// The four stages chained by the gateway's own <c>UseGatewayStages</c>, then YARP's stand-in: one request from a
/// fresh context to the client's last byte, everything the gateway does in-process per request but the network.
/// <see cref="ContextOnly"/> is the fresh request context alone, to subtract.
/// </summary>
[MemoryDiagnoser]
public class WholePipelineBenchmarks
{
    private PipelineFixture _fixture = null!;
    private RequestDelegate _pipeline = null!;

    [ParamsAllValues]
    public PipelineScenario Scenario { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _fixture = await PipelineFixture.StartAsync(Scenario);
        _pipeline = _fixture.WholePipeline();
        await _fixture.CheckWholePipelineAsync(_pipeline);
        await _fixture.CheckNoLeaksAsync("the whole pipeline", _fixture.RequestContext, _pipeline);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
    }

    [Benchmark]
    public HttpContext ContextOnly() => _fixture.RequestContext();

    [Benchmark]
    public Task Pipeline() => _pipeline(_fixture.RequestContext());
}
