using System.Text.Json;
using LlmGateway.Providers;
using LlmGateway.Releases;
using LlmGateway.Store;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Health;

internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>The framework's health-check logger: a line at Warning or Error per check and call while one is not healthy.</summary>
    public const string FrameworkLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[$"Logging:LogLevel:{FrameworkLogCategory}"] is null)
        {
            // /readyz is anonymous: with a check degraded (a webhook that failed, a store outage) a client calling it in a
            // loop wrote a log line per call. Each check's changes are logged instead (ReadinessChangeLogger); a level
            // configured for the category wins.
            services.AddLogging(logging => logging.AddFilter(FrameworkLogCategory, LogLevel.None));
        }

        services.AddSingleton<IHealthCheckPublisher, ReadinessChangeLogger>();
        services.Configure<HealthCheckPublisherOptions>(options => options.Predicate = check => check.Tags.Contains(ReadyTag));
        // A singleton: it remembers what it last logged (health checks are otherwise made per run).
        services.AddSingleton<StoreHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<ProviderCatalogHealthCheck>("providers", tags: [ReadyTag])
            .AddCheck<ReleaseSnapshotHealthCheck>("releases", tags: [ReadyTag]);
        return services;
    }

    /// <summary><c>/healthz</c> is liveness (the process answers); <c>/readyz</c> checks the store and providers.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        });
        return endpoints;
    }

    private static async Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString());
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status.ToString());
            writer.WriteString("description", entry.Description);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
