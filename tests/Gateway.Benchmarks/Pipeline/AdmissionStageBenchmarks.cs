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
public class AdmissionStageBenchmarks : StageBenchmarks
{
    private protected override string StageName => nameof(AdmissionStage);

    private protected override RequestDelegate CreateStage(PipelineFixture fixture) => fixture.Stage<AdmissionStage>(PipelineFixture.Nothing);

    private protected override Task CheckAsync(PipelineFixture fixture, RequestDelegate stage) => fixture.CheckAdmissionAsync();

    private protected override HttpContext CreateContext(PipelineFixture fixture) => fixture.RequestContext();
}
