using BenchmarkDotNet.Attributes;
using LlmGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// <c>AdmissionStage</c> alone: the request id, the demo key (from the authenticator's cache once warm), the
/// JSON content type, the body read into a pooled buffer and scanned once; <c>next</c> does nothing, then the
/// stage returns the buffer. <see cref="ContextOnly"/> is the fresh request context alone, to subtract.
/// </summary>
[MemoryDiagnoser]
public class AdmissionStageBenchmarks
{
    private PipelineFixture _fixture = null!;
    private RequestDelegate _stage = null!;

    [ParamsAllValues]
    public PipelineScenario Scenario { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _fixture = await PipelineFixture.StartAsync(Scenario);
        _stage = _fixture.Stage<AdmissionStage>(PipelineFixture.Nothing);
        await _fixture.CheckAdmissionAsync();
        await _fixture.CheckNoLeaksAsync("AdmissionStage", _fixture.RequestContext, _stage);
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
    public Task Stage() => _stage(_fixture.RequestContext());
}
