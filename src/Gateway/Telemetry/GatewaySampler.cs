using OpenTelemetry.Trace;

namespace LlmGateway.Telemetry;

/// <summary>
/// Which traces are recorded once tracing is on (<see cref="IsTracingEnabled"/>): <c>Gateway:Telemetry:TraceSampleRatio</c>
/// of root traces, children following their parent.
/// </summary>
internal sealed class GatewaySampler : Sampler
{
    private const string TracingSetting = "Gateway:Telemetry:Tracing";
    private readonly Sampler _inner;

    public GatewaySampler(IConfiguration configuration)
    {
        var ratio = Math.Clamp(configuration.GetValue("Gateway:Telemetry:TraceSampleRatio", 1.0), 0, 1);
        _inner = new ParentBasedSampler(ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio));
        Description = $"Gateway({ratio.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
    }

    /// <summary>
    /// Tracing is on only with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>Gateway:Telemetry:Tracing=true</c>. Without an
    /// exporter nobody reads traces, and even a sampler that drops them all leaves the ASP.NET Core and HttpClient
    /// instrumentations subscribed and called back on every request; so when off, no tracer and no instrumentation is
    /// registered (with the OTLP endpoint set and <c>Tracing=false</c>, <c>UseOtlpExporter</c> still registers an
    /// empty tracer: no source, no instrumentation, nothing recorded). When off, the hosting layer makes no request
    /// activity either (<c>TelemetryExtensions</c>), and a client's <c>traceparent</c> is passed on to the provider as
    /// it parsed (<c>ProviderRequestTransform.PassOnTraceContext</c>).
    /// </summary>
    public static bool IsTracingEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>(TracingSetting) ?? !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => _inner.ShouldSample(samplingParameters);
}
