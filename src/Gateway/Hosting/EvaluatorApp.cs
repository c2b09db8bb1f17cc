using LlmGateway.Behaviour;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Releases;
using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace LlmGateway.Hosting;

/// <summary>
/// The online evaluator on its own (<c>Gateway.Evaluator</c>): the same evaluator and change detector a gateway
/// runs in-process, without the proxy, so a deployment scales evaluators apart from proxies. It needs the
/// fleet's store (<c>Redis:Configuration</c> or <c>REDIS_URL</c>): an embedded store would hold no samples.
/// Serves <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.
/// </summary>
public static class EvaluatorApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddGatewayConfigurationFiles();
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddGatewayStore(configuration);
        services.AddGatewayProviders(configuration);
        // Its retention and per-prompt cap bound the counted-sample marks (BehaviourStore): checked as the gateways check
        // them, and to be set as theirs are.
        services.AddOptions<SamplingOptions>().Bind(configuration.GetSection(SamplingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SamplingOptions>, SamplingOptionsValidator>();
        services.AddSingleton<SampleStore>();
        services.AddSingleton<PromptRegistry>();
        services.AddSingleton<ActivationHistory>();
        services.AddGatewayBehaviour(configuration, evaluatorProcess: true);
        // A singleton: it remembers what it last logged (health checks are otherwise made per run).
        services.AddSingleton<StoreHealthCheck>();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: ["ready"]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(GatewayTelemetry.Name).AddGatewaySeriesLimit(configuration).AddPrometheusExporter());
        configure?.Invoke(builder);
        // Read after the host's own set-up, which may add the setting.
        if (string.IsNullOrWhiteSpace(configuration["Redis:Configuration"]) && string.IsNullOrWhiteSpace(configuration["REDIS_URL"]))
        {
            throw new InvalidOperationException(
                "Gateway.Evaluator reads the gateways' sample queue: set Redis:Configuration (or REDIS_URL) to their store.");
        }


        var app = builder.Build();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
