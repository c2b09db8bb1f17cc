using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// What every single-stage benchmark shares: for each <see cref="PipelineScenario"/>, a started
/// <see cref="PipelineFixture"/>, the stage built once and checked (it does its job and returns every pooled
/// array), then <see cref="ContextOnly"/>, the fresh context as the stage receives it, to subtract, and
/// <see cref="Stage"/>, the stage run on such a context. A subclass says which stage, with which <c>next</c>,
/// how it is checked and which context it receives; it keeps <c>[MemoryDiagnoser]</c> and its own name, so
/// the results read as before (BenchmarkDotNet names a benchmark by the class it runs, not the base).
/// </summary>
public abstract class StageBenchmarks
{
    private PipelineFixture _fixture = null!;
    private RequestDelegate _stage = null!;

    [ParamsAllValues]
    public PipelineScenario Scenario { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _fixture = await PipelineFixture.StartAsync(Scenario);
        _stage = CreateStage(_fixture);
        await CheckAsync(_fixture, _stage);
        await _fixture.CheckNoLeaksAsync(StageName, () => CreateContext(_fixture), _stage);
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
    public HttpContext ContextOnly() => CreateContext(_fixture);

    [Benchmark]
    public Task Stage() => _stage(CreateContext(_fixture));

    /// <summary>The stage's name in the setup's log.</summary>
    private protected abstract string StageName { get; }

    /// <summary>The stage as the pipeline builds it, followed by its <c>next</c>.</summary>
    private protected abstract RequestDelegate CreateStage(PipelineFixture fixture);

    /// <summary>Fails the setup when the stage does not do its job.</summary>
    private protected abstract Task CheckAsync(PipelineFixture fixture, RequestDelegate stage);

    /// <summary>A fresh context as the stage receives it.</summary>
    private protected abstract HttpContext CreateContext(PipelineFixture fixture);
}
