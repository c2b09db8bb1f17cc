using LlmGateway.Accounting;
using LlmGateway.Admin;
using LlmGateway.Behaviour;
using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.EvalRuns;
using LlmGateway.Health;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Releases;
using LlmGateway.Resilience;
using LlmGateway.Rewriting;
using LlmGateway.Rollouts;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Shadow;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using LlmGateway.Usage;

namespace LlmGateway.Hosting;

/// <summary>
/// Builds the gateway host. Program.cs and the functional tests share this entry point,
/// so the process the tests start is the one users run.
/// </summary>
public static class GatewayApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddGatewayConfigurationFiles();
        var demo = await DemoMode.ApplyAsync(builder, args);

        builder.Services.AddLlmGateway(builder.Configuration);
        if (demo is not null)
        {
            DemoMode.AddServices(builder.Services);
        }

        builder.AddGatewayTelemetry();
        configure?.Invoke(builder);

        // Last: they wrap whichever server the steps above registered. The in-process calls outermost: the drain's
        // count of requests still unwinding is the network's, not the shadow copies' and judge calls', which their
        // own callers drain.
        builder.Services.AddGatewayShutdown(builder.Configuration);
        builder.Services.AddInProcessCalls();
        var app = builder.Build();
        demo?.AttachTo(app);

        app.UseGatewayErrors();
        app.MapGatewayHealth();
        app.MapGatewayTelemetry();
        app.MapModelsEndpoint();
        app.MapPromptResolveEndpoint();
        app.MapGatewayAdmin();
        app.MapGatewayProxy();
        return app;
    }

    /// <summary>The gateway's features, each registered by its own folder's <c>Add…</c>.</summary>
    internal static IServiceCollection AddLlmGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddGatewayStore(configuration);
        services.AddGatewayProviders(configuration);
        services.AddGatewayAuth(configuration);
        services.AddGatewayProxy(configuration);
        services.AddGatewayResilience();
        services.AddGatewayAccounting(configuration);
        services.AddGatewayUsage();
        services.AddGatewaySampling(configuration);
        services.AddGatewayPrompts();
        services.AddGatewayEvalRuns();
        services.AddGatewayReleases(configuration);
        services.AddGatewayRewriting();
        services.AddGatewayRouting();
        services.AddGatewayBehaviour(configuration);
        services.AddGatewayRollouts(configuration);
        services.AddGatewayShadow(configuration);
        services.AddGatewayAdmin(configuration);
        services.AddGatewayHealth(configuration);
        return services;
    }
}
