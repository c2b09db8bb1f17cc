using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace LlmGateway.LoadTests.Hosting;

/// <summary>
/// The baseline proxy: one catch-all YARP route to the mock and nothing else. Same YARP package, same
/// <see cref="WebApplication.CreateBuilder(string[])"/> defaults for Kestrel as the gateway (which changes no Kestrel
/// setting), logging at Warning like the gateway's config. YARP forwards every request header (Authorization too) and
/// the body untouched by default, so this is the cost of "a reverse proxy" with no LLM feature.
/// </summary>
internal static class BareYarpApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var upstream = builder.Configuration["upstream"] ?? throw new InvalidOperationException("yarp-bare needs --upstream <url>.");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "mock", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "mock", Destinations = new Dictionary<string, DestinationConfig> { ["mock"] = new() { Address = upstream } } }]);

        var app = builder.Build();
        app.MapReverseProxy();
        return app;
    }
}
