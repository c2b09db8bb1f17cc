using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmGateway.Cli.Tests.Eval;

/// <summary>
/// A real HTTP server on loopback (so the CLI's own socket handler, and its redirect setting, is what runs): every
/// path under <c>/v1/</c> answers 302 to the same path under <c>/moved/</c>, which answers 200 with an empty JSON object.
/// One request per connection.
/// </summary>
internal sealed class RedirectingGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public RedirectingGateway()
    {
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _serving = ServeAsync();
    }

    public string BaseUrl { get; }

    /// <summary>The request lines received, e.g. <c>GET /v1/models HTTP/1.1</c>.</summary>
    public List<string> RequestLines { get; } = [];

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var requestLine = head.Split("\r\n")[0];
                lock (RequestLines)
                {
                    RequestLines.Add(requestLine);
                }

                var path = requestLine.Split(' ') is [_, var p, ..] ? p : "/";
                var response = path.StartsWith("/v1/", StringComparison.Ordinal)
                    ? $"HTTP/1.1 302 Found\r\nLocation: {BaseUrl}/moved{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException or InvalidOperationException)
        {
            // Disposed.
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                break;
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return seen.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }
}
