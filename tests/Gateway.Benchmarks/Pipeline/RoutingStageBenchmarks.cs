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
public class RoutingStageBenchmarks : StageBenchmarks
{
    private protected override string StageName => nameof(RoutingStage);

    private protected override RequestDelegate CreateStage(PipelineFixture fixture) => fixture.Stage<RoutingStage>(PipelineFixture.Nothing);

    private protected override Task CheckAsync(PipelineFixture fixture, RequestDelegate stage) => fixture.CheckRoutingAsync();

    private protected override HttpContext CreateContext(PipelineFixture fixture) => fixture.AdmittedContext();
}
