using Microsoft.AspNetCore.Builder;
using LlmGateway.Hosting;
using LlmGateway.MockProvider;
using LlmGateway.Store;
using OpenTelemetry.Metrics;

namespace LlmGateway.LoadTests.Hosting;

/// <summary>
/// <c>host &lt;role&gt; …</c>: the child processes the harness starts. Each system runs in a process of its own so that
/// its RSS is its own, and none of them competes with the generator's thread pool or GC. The child prints
/// <see cref="ReadyMarker"/> once it listens and stops when its standard input closes, so it never outlives the
/// harness even when the harness is killed.
/// </summary>
internal static class ChildHost
{
    public const string ReadyMarker = "LOADTEST-CHILD-READY";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("host needs a role: mock | yarp-bare | gateway | store");
            return 2;
        }

        var rest = args[1..];
        switch (args[0])
        {
            case "store":
                using (EmbeddedGarnetServer.Start(int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture)))
                {
                    await SignalReadyAndWaitAsync();
                }

                return 0;
            case "mock":
                return await RunWebAppAsync(MockProviderApp.Build(rest));
            case "yarp-bare":
                return await RunWebAppAsync(BareYarpApp.Build(rest));
            case "gateway":
                // GC and process meters on /metrics, for the soak's heap readings; the gateway does not export them itself.
                return await RunWebAppAsync(await GatewayApp.BuildAsync(
                    rest,
                    builder => builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter("System.Runtime"))));
            default:
                await Console.Error.WriteLineAsync($"unknown host role '{args[0]}'");
                return 2;
        }
    }

    private static async Task<int> RunWebAppAsync(WebApplication app)
    {
        await app.StartAsync();
        await SignalReadyAndWaitAsync();
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(grace.Token);
        }

        await app.DisposeAsync();
        return 0;
    }

    private static async Task SignalReadyAndWaitAsync()
    {
        await Console.Out.WriteLineAsync(ReadyMarker);
        await Console.Out.FlushAsync();

        // Read to end: returns when the harness closes our stdin, or exits and the pipe closes with it.
        await Console.In.ReadToEndAsync();
    }
}
