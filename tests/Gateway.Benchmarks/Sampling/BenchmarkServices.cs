using System.Diagnostics.Metrics;
using LlmGateway.Releases;
using LlmGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmGateway.Benchmarks.Sampling;

/// <summary>
/// The gateway's real <see cref="GatewayMetrics"/> (on an <see cref="IMeterFactory"/> from
/// <c>AddMetrics()</c>, with no listener: nothing exports, as in a host without OpenTelemetry) and
/// the real options monitor, so the benchmarks pay what the gateway's own instances cost. The
/// service provider lives as long as the benchmark process.
/// </summary>
internal static class BenchmarkServices
{
    private static readonly Lazy<GatewayMetrics> LazyMetrics = new(() =>
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ReleaseSnapshotProvider>();
        services.AddSingleton<GatewayMetrics>();
        return services.BuildServiceProvider().GetRequiredService<GatewayMetrics>();
    });

    public static GatewayMetrics Metrics => LazyMetrics.Value;

    /// <summary>The <see cref="OptionsMonitor{TOptions}"/> the host would build for <typeparamref name="T"/>, configured by <paramref name="configure"/>.</summary>
    public static IOptionsMonitor<T> Monitor<T>(Action<T> configure)
        where T : class
    {
        var factory = new OptionsFactory<T>([new ConfigureNamedOptions<T>(Options.DefaultName, configure)], []);
        return new OptionsMonitor<T>(factory, [], new OptionsCache<T>());
    }
}
