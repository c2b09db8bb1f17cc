using LlmGateway.MockProvider;

namespace LlmGateway.Hosting;

/// <summary>
/// <c>--demo</c>: one command that gives a working gateway on a machine with only the SDK.
/// It starts the mock provider in-process on a free loopback port, points the demo
/// catalog at it and enables the demo key. The embedded store starts because no Redis is set, and keeps no state (no
/// data directory, whatever the environment sets).
/// </summary>
internal sealed class DemoMode
{
    public const string Switch = "--demo";
    public const string DemoKey = "sk-gateway-demo";
    public const string DemoAdminToken = "sk-admin-demo-alice";
    public const string DemoApproverToken = "sk-approver-demo-bob";
    public const string DefaultUrl = "http://127.0.0.1:8080";

    private static readonly string[] DemoModels = ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "text-embedding-3-small"];

    private readonly WebApplication _mockProvider;

    private DemoMode(WebApplication mockProvider) => _mockProvider = mockProvider;

    public static async Task<DemoMode?> ApplyAsync(WebApplicationBuilder builder, string[] args)
    {
        // Only the command-line switch: no configuration source can turn on published credentials.
        if (!args.Contains(Switch, StringComparer.Ordinal))
        {
            return null;
        }

        // Its published tokens (an operator's, an approver's) would control every gateway on a shared store, and what
        // they issue there outlives the demo: the demo runs on its own embedded store, or not at all.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Redis:Configuration"]) || !string.IsNullOrWhiteSpace(builder.Configuration["REDIS_URL"]))
        {
            throw new InvalidOperationException(
                $"{Switch} runs on its own embedded store only: its published admin tokens would control the configured store's gateways. Unset Redis:Configuration and REDIS_URL.");
        }

        var mock = MockProviderApp.Build(["--urls", "http://127.0.0.1:0"]);
        await mock.StartAsync();
        var mockUrl = mock.Urls.First();

        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Providers:mock:Kind"] = "openai-compatible",
            ["Gateway:Providers:mock:BaseUrl"] = $"{mockUrl}/v1",
            // The mock's fault knobs (x-mock-chunks, x-mock-status, …) reach it through the gateway.
            ["Gateway:Providers:mock:ForwardRequestHeaders:0"] = "x-mock-*",
            ["Gateway:Auth:DevKey:Enabled"] = "true",
            ["Gateway:Auth:DevKey:Key"] = DemoKey,
            ["Gateway:Auth:DevKey:Environment"] = DemoPromptSeeder.Environment,
            ["Gateway:Admin:Tokens:alice:Token"] = DemoAdminToken,
            ["Gateway:Admin:Tokens:alice:Roles:0"] = "viewer",
            ["Gateway:Admin:Tokens:alice:Roles:1"] = "author",
            ["Gateway:Admin:Tokens:alice:Roles:2"] = "operator",
            ["Gateway:Admin:Tokens:alice:Roles:3"] = "sample-reader",
            ["Gateway:Admin:Tokens:bob:Token"] = DemoApproverToken,
            ["Gateway:Admin:Tokens:bob:Roles:0"] = "viewer",
            ["Gateway:Admin:Tokens:bob:Roles:1"] = "approver",
            // Never a store a later gateway reads: the image sets a data directory on its volume, and what the published
            // tokens issued there (admin tokens, gateway keys) would be valid in the production gateway started on it.
            ["Redis:Embedded:DataDirectory"] = "",
        };
        // Every catalog model, configured or demo, is served by the mock, so the demo never needs a real key.
        var models = builder.Configuration.GetSection("Gateway:Models").GetChildren().Select(m => m.Key).Union(DemoModels);
        foreach (var model in models)
        {
            settings[$"Gateway:Models:{model}:Provider"] = "mock";
            settings[$"Gateway:Models:{model}:UpstreamModel"] = model;
        }

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            settings["urls"] = DefaultUrl;
        }

        // Applied before the command line so that flags still win.
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddCommandLine(args.Where(a => a != Switch).ToArray());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Redis:Embedded:DataDirectory"]))
        {
            await mock.StopAsync();
            await mock.DisposeAsync();
            throw new InvalidOperationException(
                $"{Switch} keeps no state: what its published admin tokens issue must not outlive it in a data directory a later gateway reads. Drop Redis:Embedded:DataDirectory from the command line.");
        }

        return new DemoMode(mock);
    }

    /// <summary>Stops the in-process mock provider (for a demo that is never attached to a gateway).</summary>
    internal async Task StopMockAsync()
    {
        await _mockProvider.StopAsync();
        await _mockProvider.DisposeAsync();
    }

    /// <summary>Services that exist only in demo mode.</summary>
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<DemoModeMarker>();
        services.AddHostedService<DemoPromptSeeder>();
    }

    public void AttachTo(WebApplication gateway)
    {
        var logger = gateway.Services.GetRequiredService<ILoggerFactory>().CreateLogger<DemoMode>();
        var mockUrl = _mockProvider.Urls.First();
        gateway.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", gateway.Urls);
            DemoModeLog.Started(logger, urls, DemoKey, mockUrl);
        });
        gateway.Lifetime.ApplicationStopped.Register(() => _mockProvider.StopAsync().GetAwaiter().GetResult());
    }
}
