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
public class ForwardStageBenchmarks : StageBenchmarks
{
    private protected override string StageName => nameof(ForwardStage);

    private protected override RequestDelegate CreateStage(PipelineFixture fixture) => fixture.Stage<ForwardStage>(fixture.Yarp.ForwardAsync);

    private protected override Task CheckAsync(PipelineFixture fixture, RequestDelegate stage) => fixture.CheckForwardAsync(stage);

    private protected override HttpContext CreateContext(PipelineFixture fixture) => fixture.RoutedContext();
}
