using BenchmarkDotNet.Attributes;
using LlmGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// <c>ForwardStage</c> alone, given the routed exchange (built once and only read): the sampling decision, the
/// span, <c>ResilientForwarder</c> (Polly, the attempt timer and lifetime, the reassignment to the provider's
/// cluster, a fresh <c>ResponseTap</c> holding the JSON body), then billing from the reported usage, the usage
/// headers, the held body released, the usage counters and the metrics. <c>next</c> is YARP's stand-in, which
/// reads the upstream body and writes the canned completion through the tap. <see cref="ContextOnly"/> is the
/// fresh context as the stage receives it, to subtract.
/// </summary>
[MemoryDiagnoser]
public class ForwardStageBenchmarks
{
    private PipelineFixture _fixture = null!;
    private RequestDelegate _stage = null!;

    [ParamsAllValues]
    public PipelineScenario Scenario { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _fixture = await PipelineFixture.StartAsync(Scenario);
        _stage = _fixture.Stage<ForwardStage>(_fixture.Yarp.ForwardAsync);
        await _fixture.CheckForwardAsync(_stage);
        await _fixture.CheckNoLeaksAsync("ForwardStage", _fixture.RoutedContext, _stage);
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
    public HttpContext ContextOnly() => _fixture.RoutedContext();

    [Benchmark]
    public Task Stage() => _stage(_fixture.RoutedContext());
}
