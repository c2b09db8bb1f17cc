using System.Net.Sockets;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A <c>Content-Length</c> is only the client's claim: the gateway's body buffer grows with the bytes that arrive,
/// so a client that declares hundreds of megabytes and sends a handful cannot make the gateway hold the megabytes.
/// </summary>
public sealed class SmugglingBodyReaderTests(TestEnvironment env)
{
    private const long Declared = 500L * 1024 * 1024;

    [Fact]
    public async Task A_declared_content_length_does_not_size_the_body_buffer()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxRequestBodyBytes"] = (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var rents = new SmugglingLargeRents(minimumBytes: 64 * 1024 * 1024);

        // Declares 500 MB (within the gateway's limit) and sends a few bytes: Kestrel refuses the body (past its own
        // 30 MB) as soon as the gateway starts reading it, which is after the gateway sized its buffer.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(gateway.BaseUrl.Host, gateway.BaseUrl.Port, TestContext.Current.CancellationToken);
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {gateway.BaseUrl.Authority}\r\nAuthorization: Bearer {env.ApiKey}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {Declared}\r\n\r\n{{\"model\":\"gpt-4o-mini\",";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);

        var status = await ReadStatusLineAsync(socket);

        Assert.StartsWith("HTTP/1.1 4", status, StringComparison.Ordinal);
        Assert.True(rents.Largest < 64 * 1024 * 1024, $"the gateway rented a {rents.Largest}-byte buffer for a body of a few bytes");
    }

    private static async Task<string> ReadStatusLineAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (!received.Contains((byte)'\n'))
        {
            var read = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.ASCII.GetString([.. received]);
    }
}
