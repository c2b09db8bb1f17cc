using Microsoft.Extensions.Options;

namespace LlmGateway.Hosting;

internal static class ShutdownServiceCollectionExtensions
{
    /// <summary>
    /// Splits the stop in two budgets (<see cref="ShutdownOptions"/>): the server's drain, bounded on its own, then the
    /// services after it. Call it after anything that may register a server, and before the in-process calls' wrapper.
    /// </summary>
    public static IServiceCollection AddGatewayShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>()
            .Bind(configuration.GetSection(ShutdownOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // After the host's own binding (shutdownTimeoutSeconds), which it replaces: the sum is the whole stop's budget.
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainTimeout + shutdown.Value.FlushTimeout);
        services.WrapLastServer((sp, inner) => new DrainBoundedServer(
            inner, sp.GetRequiredService<IOptions<ShutdownOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DrainBoundedServer>>()));
        return services;
    }
}
