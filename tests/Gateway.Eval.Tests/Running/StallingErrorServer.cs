using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmGateway.Eval.Tests.Running;

/// <summary>
/// A real HTTP server on loopback that answers every connection with an error status and the start of its body, then
/// sends nothing more (the connection stays open until disposed): a gateway whose error answer stalls mid-body.
/// </summary>
internal sealed class StallingErrorServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    public StallingErrorServer(int status)
    {
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync(status);
    }

    public Uri BaseUrl { get; }

    private async Task AcceptAsync(int status)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(client);
                }

                var stream = client.GetStream();
                await ReadHeadersAsync(stream);
                // Promises 200 bytes of JSON, sends 20.
                var head = $"HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\nContent-Length: 200\r\nX-Prompt-Version: 4\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{\"error\":{\"message\":"), _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException or InvalidOperationException)
        {
            // Disposed.
        }
    }

    private async Task ReadHeadersAsync(NetworkStream stream)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        _stop.Dispose();
    }
}
