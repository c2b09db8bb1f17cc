using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmGateway.Hosting;

/// <summary>Calls into this gateway's own pipeline without a socket (<see cref="InProcessApplication"/>).</summary>
internal static class InProcessServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the last server registered (Kestrel, or a test's own) in <see cref="InProcessServer"/>: call it last,
    /// after anything that may register a server. Without a server registered there is nothing to call: in-process
    /// calls then report the server as not running.
    /// </summary>
    public static IServiceCollection AddInProcessCalls(this IServiceCollection services)
    {
        services.TryAddSingleton<InProcessApplication>();
        services.WrapLastServer((sp, inner) => new InProcessServer(inner, sp.GetRequiredService<InProcessApplication>()));
        return services;
    }
}
