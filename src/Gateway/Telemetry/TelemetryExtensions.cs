using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LlmGateway.Telemetry;

/// <summary>
/// All OpenTelemetry wiring in one place (the ServiceDefaults pattern): traces from the gateway,
/// ASP.NET Core, outgoing HTTP and YARP; metrics from the same plus the GenAI instruments. Metrics
/// are scraped at <c>/metrics</c>; everything goes out over OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class TelemetryExtensions
{
    public const string PrometheusPath = "/metrics";

    private const string PrometheusSetting = "Gateway:Telemetry:Prometheus";

    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<LlmCallTelemetry>();
        var prometheus = builder.Configuration.GetValue(PrometheusSetting, true);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "llm-gateway"))
            .WithTracing(tracing => tracing
                .SetSampler(services => new GatewaySampler(services.GetRequiredService<IConfiguration>()))
                .AddSource(GatewayTelemetry.Name)
                .AddSource("Yarp.ReverseProxy")
                .AddAspNetCoreInstrumentation(options => options.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments(PrometheusPath))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(GatewayTelemetry.Name)
                    .AddMeter("Yarp.ReverseProxy")
                    // .NET's own runtime metrics: GC heap, working set, thread pool (RSS drift shows here).
                    .AddMeter("System.Runtime")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The Prometheus scrape endpoint. Metrics carry model and prompt names only: no secrets, ids or text.</summary>
    public static WebApplication MapGatewayTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue(PrometheusSetting, true))
        {
            app.MapPrometheusScrapingEndpoint(PrometheusPath);
        }

        return app;
    }
}
