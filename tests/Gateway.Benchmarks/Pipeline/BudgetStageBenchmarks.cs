using BenchmarkDotNet.Attributes;
using LlmGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// <c>BudgetStage</c> alone, given the routed exchange (built once and only read), for the demo key, which has
/// no limits: the stage reserves nothing and passes on; <c>next</c> does nothing. <see cref="ContextOnly"/> is
/// the fresh context as the stage receives it, to subtract.
/// </summary>
[MemoryDiagnoser]
public class BudgetStageBenchmarks
{
    private PipelineFixture _fixture = null!;
    private RequestDelegate _stage = null!;

    [ParamsAllValues]
    public PipelineScenario Scenario { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _fixture = await PipelineFixture.StartAsync(Scenario);
        _stage = _fixture.Stage<BudgetStage>(PipelineFixture.Nothing);
        await _fixture.CheckBudgetAsync();
        await _fixture.CheckNoLeaksAsync("BudgetStage", _fixture.RoutedContext, _stage);
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
