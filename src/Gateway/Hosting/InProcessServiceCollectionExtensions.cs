using Microsoft.AspNetCore.Hosting.Server;
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
        var index = services.Count - 1;
        while (index >= 0 && (services[index].ServiceType != typeof(IServer) || services[index].IsKeyedService))
        {
            index--;
        }

        if (index < 0)
        {
            return services;
        }

        var server = services[index];
        services[index] = ServiceDescriptor.Singleton<IServer>(sp => new InProcessServer(Inner(sp, server), sp.GetRequiredService<InProcessApplication>()));
        return services;
    }

    private static IServer Inner(IServiceProvider services, ServiceDescriptor server) =>
        (IServer)(server.ImplementationInstance
            ?? server.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, server.ImplementationType!));
}
