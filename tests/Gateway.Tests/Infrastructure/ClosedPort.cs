using System.Net;
using System.Net.Sockets;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>A loopback port nothing listens on (taken, then let go): a store or provider that is down.</summary>
internal static class ClosedPort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
