using BenchmarkDotNet.Attributes;
using LlmGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// <c>RoutingStage</c> alone, given what admission set (the admitted request, built once and only read):
/// the catalog look-up, or for prompt-chat the release snapshot, the sticky arm, the Liquid render and the
/// rewrite into a pooled buffer; then the <c>LlmExchange</c>; <c>next</c> does nothing, then the stage returns
/// the rewritten body. <see cref="ContextOnly"/> is the fresh context as routing receives it, to subtract.
/// </summary>
[MemoryDiagnoser]
public class RoutingStageBenchmarks
{
    private PipelineFixture _fixture = null!;
    private RequestDelegate _stage = null!;

    [ParamsAllValues]
    public PipelineScenario Scenario { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _fixture = await PipelineFixture.StartAsync(Scenario);
        _stage = _fixture.Stage<RoutingStage>(PipelineFixture.Nothing);
        await _fixture.CheckRoutingAsync();
        await _fixture.CheckNoLeaksAsync("RoutingStage", _fixture.AdmittedContext, _stage);
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
    public HttpContext ContextOnly() => _fixture.AdmittedContext();

    [Benchmark]
    public Task Stage() => _stage(_fixture.AdmittedContext());
}
