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

    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string PrometheusSetting = "Gateway:Telemetry:Prometheus";
    internal const string MetricsPortSetting = "Gateway:Telemetry:MetricsPort";
    internal const string HttpClientMetricsSetting = "Gateway:Telemetry:HttpClientMetrics";
    internal const string MaxSeriesPerMetricSetting = "Gateway:Telemetry:MaxSeriesPerMetric";

    /// <summary>OpenTelemetry's own default: series per metric before new tag sets fold into one overflow series.</summary>
    internal const int DefaultMaxSeriesPerMetric = 2000;
    // OpenTelemetry sets aside a slot per series of the limit (about 80 bytes) per instrument and exporter when the
    // instrument first records: a limit is paid for up front, not as series appear.
    private const int MaxSeriesPerMetricCeiling = 100_000;

    // The most segments of an admin path looked at for a configuration admin token (its routes have fewer than ten).
    private const int MaxAdminSegments = 16;

    /// <summary>
    /// Server request duration and active requests, Kestrel's connections, unhandled exceptions and rate limiting.
    /// </summary>
    private static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
    ];

    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<LlmCallTelemetry>();
        var prometheus = builder.Configuration.GetValue(PrometheusSetting, true);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "llm-gateway"));
        var tracingOn = GatewaySampler.IsTracingEnabled(builder.Configuration);
        if (!tracingOn && builder.Configuration[$"Logging:LogLevel:{HostingDiagnosticsCategory}"] is null)
        {
            // ASP.NET Core makes an Activity for every request while this category's logger is on at any level (for
            // its log scope), and HttpClient a child of it per upstream call: about 2 KB and a few µs a request that
            // nothing reads when tracing is off (loadtests/RESULTS.md). The category logs request start and end
            // (Information) and a few start-up messages, lost with it (README, Telemetry). A level configured for it
            // wins; a client's trace context still reaches the provider without the Activity (ProviderRequestTransform).
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }

        if (tracingOn)
        {
            // W3C trace context only: the SDK's default also reads a client's baggage into Baggage.Current, which the
            // HttpClient instrumentation then writes on every call to a provider, past its header allow-list.
            Sdk.SetDefaultTextMapPropagator(new OpenTelemetry.Context.Propagation.TraceContextPropagator());
            otel.WithTracing(tracing => tracing
                .SetSampler(services => new GatewaySampler(services.GetRequiredService<IConfiguration>()))
                .AddSource(GatewayTelemetry.Name)
                .AddSource("Yarp.ReverseProxy")
                // Not traced: probes and scrapes, and a path holding an issued secret or a configuration admin token (a
                // revoke by secret, refused), whose span would export it as url.path.
                .AddAspNetCoreInstrumentation(options => options.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments(PrometheusPath)
                    && !HoldsSecret(context))
                .AddHttpClientInstrumentation());
        }

        otel
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(GatewayTelemetry.Name)
                    .AddMeter("Yarp.ReverseProxy")
                    // .NET's own runtime metrics: GC heap, working set, thread pool (RSS drift shows here).
                    .AddMeter("System.Runtime")
                    // ASP.NET Core's meters named one by one, not AddAspNetCoreInstrumentation(): that also listens to
                    // routing, authorization and Kestrel's memory pool, which record per request or per buffer (about
                    // 1.5 µs of a request's CPU under load, loadtests/RESULTS.md) for nothing an LLM gateway charts.
                    .AddMeter(AspNetCoreMeters)
                    .AddGatewaySeriesLimit(builder.Configuration);
                if (builder.Configuration.GetValue(HttpClientMetricsSetting, false))
                {
                    // http.client.* for the upstream calls: off by default, as gen_ai.client.operation.duration and
                    // gateway.upstream.attempts already time and count them (about 3 µs of a request's CPU under load).
                    metrics.AddHttpClientInstrumentation();
                }

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

    /// <summary>
    /// The series limit of the gateway's own instruments (in the gateway and in <c>Gateway.Evaluator</c>). They are tagged
    /// by prompt, version, arm and model: a deployment with many prompts (or many versions over an instance's life: with
    /// cumulative temporality a series keeps its slot until restart) passes OpenTelemetry's 2,000 series per metric, past
    /// which new tag sets share one series marked <c>otel_metric_overflow="true"</c>. Only this one view may match them:
    /// a second one would give an instrument two streams of the same name.
    /// </summary>
    internal static MeterProviderBuilder AddGatewaySeriesLimit(this MeterProviderBuilder metrics, IConfiguration configuration)
    {
        var maxSeries = MaxSeriesPerMetric(configuration);
        return metrics.AddView(instrument => instrument.Meter.Name == GatewayTelemetry.Name
            ? new MetricStreamConfiguration { CardinalityLimit = maxSeries }
            : null);
    }

    internal static int MaxSeriesPerMetric(IConfiguration configuration)
    {
        var value = configuration.GetValue(MaxSeriesPerMetricSetting, DefaultMaxSeriesPerMetric);
        return value is >= 1 and <= MaxSeriesPerMetricCeiling
            ? value
            : throw new InvalidOperationException(string.Create(
                System.Globalization.CultureInfo.InvariantCulture, $"{MaxSeriesPerMetricSetting} must be between 1 and {MaxSeriesPerMetricCeiling:N0}; it was {value}."));
    }

    /// <summary>
    /// The Prometheus scrape endpoint. Metrics carry model and prompt names only: no secrets, ids or
    /// text. With <c>Gateway:Telemetry:MetricsPort</c> set, it is served on that port only (beside the
    /// API's own), so a firewall or a network policy can keep it internal.
    /// </summary>
    public static WebApplication MapGatewayTelemetry(this WebApplication app)
    {
        if (!app.Configuration.GetValue(PrometheusSetting, true))
        {
            return app;
        }

        if (app.Configuration.GetValue<int?>(MetricsPortSetting) is not { } port)
        {
            app.MapPrometheusScrapingEndpoint(PrometheusPath);
            return app;
        }

        if (port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{MetricsPortSetting} must be a TCP port (1-65535); it was {port}.");
        }

        ListenAlsoOn(app, port);

        // Decided by the port the connection arrived on, never by the Host header a client chose:
        // the metrics port serves /metrics only, and the API's ports never serve it.
        app.Use((context, next) =>
        {
            var onMetricsPort = context.Connection.LocalPort == port;
            // By segments: routing ignores a trailing slash, so "/metrics/" on an API port reached the scrape endpoint.
            var isMetrics = context.Request.Path.StartsWithSegments(PrometheusPath, StringComparison.OrdinalIgnoreCase);
            if (onMetricsPort != isMetrics)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapPrometheusScrapingEndpoint(PrometheusPath);
        return app;
    }

    /// <summary>
    /// Adds the metrics port to the addresses Kestrel binds. Addresses set here replace the configured
    /// ones, so those are carried over first (urls, else http_ports and https_ports, else ASP.NET Core's default).
    /// Kestrel's own endpoints (<c>Kestrel:Endpoints</c>) replace these addresses instead: the port would silently not
    /// open, so the two together stop the start.
    /// </summary>
    internal static void ListenAlsoOn(WebApplication app, int port)
    {
        if (app.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            throw new InvalidOperationException(
                "Gateway:Telemetry:MetricsPort cannot open a port beside Kestrel:Endpoints (Kestrel would ignore it): add the metrics endpoint to Kestrel:Endpoints and leave MetricsPort unset.");
        }

        if (app.Urls.Count == 0)
        {
            static IEnumerable<string> Ports(string? ports, string scheme) =>
                (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}");
            string[] fromPorts = [.. Ports(app.Configuration["http_ports"], "http"), .. Ports(app.Configuration["https_ports"], "https")];
            var configured = app.Configuration["urls"] is { Length: > 0 } urls ? urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : fromPorts.Length > 0 ? fromPorts
                : ["http://localhost:5000"];
            foreach (var url in configured)
            {
                app.Urls.Add(url);
            }
        }

        // The same interface as the API's first address (loopback stays loopback).
        var host = Microsoft.AspNetCore.Http.BindingAddress.Parse(app.Urls.First()).Host;
        app.Urls.Add($"http://{host}:{port}");
    }

    /// <summary>
    /// A path holding an issued secret, or (under <c>/admin</c>) a configuration admin token: that can be any string, so
    /// it is looked up (a hash per run of segments of an admin request, only with tracing on).
    /// </summary>
    private static bool HoldsSecret(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (Contracts.Keys.SecretPrefixes.ContainsSecret(path))
        {
            return true;
        }

        if (path is null || !context.Request.Path.StartsWithSegments("/admin"))
        {
            return false;
        }

        return context.RequestServices.GetService<Admin.AdminTokenRegistry>() is { } registry && HoldsConfiguredToken(path, registry);
    }

    // The last segment, as a revoke by secret puts it (escaped, a token holding '/' is one segment, which IsSecret
    // unescapes). Sent unescaped, such a token spans segments: every run of segments is tried too, but only when a
    // configured token can hold '/', and only runs no longer than such a token (this runs before authentication, for
    // anyone: an unbounded scan would hash megabytes per request).
    private static bool HoldsConfiguredToken(string path, Admin.AdminTokenRegistry registry)
    {
        if (registry.IsSecret(path[(path.LastIndexOf('/') + 1)..]))
        {
            return true;
        }

        var bound = registry.SpanningTokenBound;
        if (bound == 0)
        {
            return false;
        }

        Span<int> slashes = stackalloc int[MaxAdminSegments];
        var count = 0;
        for (var i = 0; i < path.Length && count < MaxAdminSegments; i++)
        {
            if (path[i] == '/')
            {
                slashes[count++] = i;
            }
        }

        for (var first = 0; first < count; first++)
        {
            var start = slashes[first] + 1;
            // Runs of two segments or more (one segment alone: the last was tried, the others are route words or ids).
            for (var next = first + 2; next <= count; next++)
            {
                var end = next < count ? slashes[next] : path.Length;
                if (end - start > bound)
                {
                    break;
                }

                if (registry.IsSecret(path[start..end]))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
