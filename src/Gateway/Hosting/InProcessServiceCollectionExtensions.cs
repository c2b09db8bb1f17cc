using Microsoft.AspNetCore.Hosting.Server;

namespace LlmGateway.Hosting;

/// <summary>Calls into this gateway's own pipeline without a socket (<see cref="InProcessApplication"/>).</summary>
internal static class InProcessServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the registered server (Kestrel, registered by the web host's defaults before any feature) in
    /// <see cref="InProcessServer"/>. Without a server registered there is nothing to call: in-process calls then
    /// report the server as not running.
    /// </summary>
    public static IServiceCollection AddInProcessCalls(this IServiceCollection services)
    {
        services.AddSingleton<InProcessApplication>();
        var index = services.Count - 1;
        while (index >= 0 && services[index].ServiceType != typeof(IServer))
        {
            index--;
        }

        if (index < 0 || services[index] is { IsKeyedService: true })
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
