using Microsoft.AspNetCore.Hosting.Server;

namespace LlmGateway.Hosting;

/// <summary>Wraps the last server registered (Kestrel, or a test's own), for the wrappers that must see every request or the stop.</summary>
internal static class ServerWrapping
{
    /// <summary>False when no server is registered: nothing to wrap.</summary>
    public static bool WrapLastServer(this IServiceCollection services, Func<IServiceProvider, IServer, IServer> wrap)
    {
        var index = services.Count - 1;
        while (index >= 0 && (services[index].ServiceType != typeof(IServer) || services[index].IsKeyedService))
        {
            index--;
        }

        if (index < 0)
        {
            return false;
        }

        var server = services[index];
        services[index] = ServiceDescriptor.Singleton<IServer>(sp => wrap(sp, Inner(sp, server)));
        return true;
    }

    private static IServer Inner(IServiceProvider services, ServiceDescriptor server) =>
        (IServer)(server.ImplementationInstance
            ?? server.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, server.ImplementationType!));
}
