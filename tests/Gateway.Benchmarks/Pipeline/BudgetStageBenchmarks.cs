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
public class BudgetStageBenchmarks : StageBenchmarks
{
    private protected override string StageName => nameof(BudgetStage);

    private protected override RequestDelegate CreateStage(PipelineFixture fixture) => fixture.Stage<BudgetStage>(PipelineFixture.Nothing);

    private protected override Task CheckAsync(PipelineFixture fixture, RequestDelegate stage) => fixture.CheckBudgetAsync();

    private protected override HttpContext CreateContext(PipelineFixture fixture) => fixture.RoutedContext();
}
