using System.Net;
using System.Net.Sockets;

namespace LlmGateway.LoadTests.Http;

/// <summary>
/// Connects only to loopback addresses. The flag check trusts the name <c>localhost</c>; this checks what it
/// actually resolved to, so a hosts file pointing it elsewhere still cannot aim the load at another machine.
/// </summary>
internal static class LoopbackConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = Array.FindAll(await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken), IPAddress.IsLoopback);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"'{endpoint.Host}' resolves to no loopback address; refusing to connect.");
        }

        SocketException? lastFailure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endpoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                // localhost may resolve to ::1 and 127.0.0.1 while the server listens on one of them only.
                socket.Dispose();
                lastFailure = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastFailure!;
    }
}
