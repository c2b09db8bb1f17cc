using System.Globalization;
using LlmGateway.Hosting;
using LlmGateway.MockProvider;
using LlmGateway.Store;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Metrics;

namespace LlmGateway.LoadTests.Hosting;

/// <summary>
/// <c>host &lt;role&gt; -- …</c>: the child processes the harness starts. Each system runs in a process of its own so that
/// its RSS and CPU time are its own, and none of them competes with the generator's thread pool or GC. The child prints
/// <see cref="ReadyMarker"/> once it listens and stops when its standard input closes, so it never outlives the
/// harness even when the harness is killed. While it runs, its standard input is also a control channel: the line
/// <see cref="StatsCommand"/> is answered with a <see cref="RuntimeStatsLine"/> on standard output. That reads the
/// child's allocation counter without adding an endpoint to the proxy under test (bare YARP has no <c>/metrics</c>,
/// and giving it one would change the baseline).
/// </summary>
internal static class ChildHost
{
    public const string ReadyMarker = "LOADTEST-CHILD-READY";
    public const string StatsCommand = "stats";
    public const string Mock = "mock";
    public const string YarpBare = "yarp-bare";
    public const string Gateway = "gateway";
    public const string Store = "store";
    public const string Evaluator = "evaluator";

    public static string[] Roles { get; } = [Mock, YarpBare, Gateway, Store, Evaluator];

    public static async Task<int> RunAsync(string role, string[] args)
    {
        switch (role)
        {
            case Store:
                using (EmbeddedGarnetServer.Start(int.Parse(args[0], CultureInfo.InvariantCulture), password: Harness.HarnessStore.Password))
                {
                    await SignalReadyAndServeAsync();
                }

                return 0;
            case Mock:
                return await RunWebAppAsync(MockProviderApp.Build(args));
            case YarpBare:
                return await RunWebAppAsync(BareYarpApp.Build(args));
            case Gateway:
                // GC and process meters on /metrics, for the soak's heap readings (the gateway adds them itself since #8;
                // kept so an older gateway measured with this harness has them too).
                return await RunWebAppAsync(await GatewayApp.BuildAsync(
                    args,
                    builder => builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter("System.Runtime"))));
            case Evaluator:
                // The online evaluator apart from the proxy (Gateway.Evaluator), reading the gateway's store.
                return await RunWebAppAsync(EvaluatorApp.Build(args));
            default:
                await Console.Error.WriteLineAsync($"unknown host role '{role}'");
                return 2;
        }
    }

    private static async Task<int> RunWebAppAsync(WebApplication app)
    {
        await app.StartAsync();
        await SignalReadyAndServeAsync();
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(grace.Token);
        }

        await app.DisposeAsync();
        return 0;
    }

    private static async Task SignalReadyAndServeAsync()
    {
        await Console.Out.WriteLineAsync(ReadyMarker);
        await Console.Out.FlushAsync();

        // Returns when the harness closes our stdin, or exits and the pipe closes with it.
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == StatsCommand)
            {
                await Console.Out.WriteLineAsync(RuntimeStatsLine.Format(RuntimeStats.OfThisProcess()));
                await Console.Out.FlushAsync();
            }
        }
    }
}
