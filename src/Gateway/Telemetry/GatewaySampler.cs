using System.Diagnostics;
using OpenTelemetry.Trace;

namespace LlmGateway.Telemetry;

/// <summary>
/// Decides whether traces are recorded at all. Without an exporter there is nobody to read them, and
/// recording four activities per request (ASP.NET Core, the gateway's LLM span, YARP, HttpClient) costs
/// real throughput; so tracing is on only with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
/// <c>Gateway:Telemetry:Tracing=true</c>, at <c>Gateway:Telemetry:TraceSampleRatio</c> of root traces
/// (children follow their parent).
/// </summary>
internal sealed class GatewaySampler : Sampler
{
    private readonly Sampler _inner;

    public GatewaySampler(IConfiguration configuration)
    {
        var enabled = configuration.GetValue<bool?>("Gateway:Telemetry:Tracing")
            ?? !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var ratio = Math.Clamp(configuration.GetValue("Gateway:Telemetry:TraceSampleRatio", 1.0), 0, 1);
        _inner = !enabled ? new AlwaysOffSampler() : new ParentBasedSampler(ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio));
        Enabled = enabled;
        Description = $"Gateway({(enabled ? ratio.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off")})";
    }

    public bool Enabled { get; }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => _inner.ShouldSample(samplingParameters);
}
