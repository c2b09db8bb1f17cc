using System.Net;
using System.Net.Sockets;

namespace LlmGateway.LoadTests.Harness;

internal static class FreePort
{
    /// <summary>A free loopback port; another process could take it before the child binds, which start-up would report.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
