using LlmGateway.Hosting;
using LlmGateway.Releases;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// The gateway as <c>--demo</c> runs it, built by <see cref="GatewayApp.BuildAsync"/> (what Program.cs calls)
/// and started, so its services are the real ones and its hosted services run: the embedded Garnet store,
/// the demo key, <c>demo-bot</c> seeded (v1 stable, v2 on a 10% canary) into the release snapshot, the usage
/// and sample writers, telemetry with its Prometheus exporter; <c>gpt-4o-mini</c> has its production price.
/// Kestrel listens on a loopback port that nobody calls: the benchmarks hand <c>DefaultHttpContext</c>s to the
/// stages themselves.
/// </summary>
internal sealed class PipelineGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PipelineGateway(WebApplication app) => _app = app;

    /// <summary>Starts the gateway and waits until <c>demo-bot</c> is in the release snapshot.</summary>
    public static async Task<PipelineGateway> StartAsync()
    {
        string[] args =
        [
            DemoMode.Switch,
            "--urls", "http://127.0.0.1:0",
            // The demo runs on its own embedded store only.
            "--REDIS_URL=",
            // A folder that does not exist: the repository's config/ (real providers) stays out.
            $"--{GatewayConfigurationExtensions.ConfigDirectoryKey}={Path.Combine(AppContext.BaseDirectory, "no-config")}",
            "--Logging:LogLevel:Default=Warning",
            // Random sampling off: every request takes the unsampled path (a sampled one also copies its bodies
            // and builds a sample in the background; see the Sampling benchmarks), so each operation costs the same.
            "--Gateway:Sampling:StableRate=0",
            "--Gateway:Sampling:CanaryRate=0",
            // config/pricing.json's price, so billing prices the usage as it does in production.
            "--Gateway:Pricing:Models:gpt-4o-mini:0:EffectiveFrom=2024-07-18T00:00:00Z",
            "--Gateway:Pricing:Models:gpt-4o-mini:0:InputPerMillion=0.15",
            "--Gateway:Pricing:Models:gpt-4o-mini:0:CachedInputPerMillion=0.075",
            "--Gateway:Pricing:Models:gpt-4o-mini:0:OutputPerMillion=0.6",
        ];
        var app = await GatewayApp.BuildAsync(args);
        await app.StartAsync();
        var gateway = new PipelineGateway(app);
        try
        {
            await gateway.WaitForDemoPromptAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>A request delegate as YARP's pipeline builds one: <paramref name="stages"/>, then <paramref name="terminal"/>.</summary>
    public RequestDelegate Build(Action<IApplicationBuilder> stages, RequestDelegate terminal)
    {
        var builder = new ApplicationBuilder(_app.Services);
        stages(builder);
        builder.Run(terminal);
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task WaitForDemoPromptAsync()
    {
        var snapshots = Get<ReleaseSnapshotProvider>();
        // The snapshot is refreshed by a background service: wait for the seeded canary to appear, bounded.
        if (SpinWait.SpinUntil(
            () => snapshots.Current.TryGet(DemoPromptSeeder.PromptName, DemoPromptSeeder.Environment, out var release) && release.Canary is not null,
            TimeSpan.FromSeconds(30)))
        {
            return Task.CompletedTask;
        }

        throw new InvalidOperationException($"'{DemoPromptSeeder.PromptName}' did not reach the release snapshot with a canary within 30 s.");
    }
}
