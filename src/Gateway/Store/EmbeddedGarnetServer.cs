using System.Net;
using System.Net.Sockets;
using Garnet;

namespace LlmGateway.Store;

/// <summary>
/// Garnet hosted in this process on a loopback port, with Lua on. The gateway talks to it
/// over RESP through StackExchange.Redis exactly as it talks to a real Redis: one code path.
/// </summary>
public sealed class EmbeddedGarnetServer : IDisposable
{
    private readonly GarnetServer _server;

    private EmbeddedGarnetServer(GarnetServer server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <param name="port">0 picks a free loopback port.</param>
    /// <param name="dataDirectory">Null keeps data in memory only.</param>
    /// <param name="loggerFactory">Routes Garnet's own logs through the host's logging.</param>
    public static EmbeddedGarnetServer Start(int port = 0, string? dataDirectory = null, string memory = "256m", string index = "32m", ILoggerFactory? loggerFactory = null)
    {
        port = port == 0 ? FreeLoopbackPort() : port;
        var args = new List<string>
        {
            "--bind", "127.0.0.1",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--lua",
            // Without it Garnet runs scripts without isolation; every compare-and-swap here needs it.
            "--lua-transaction-mode",
            "--memory", memory,
            "--index", index,
        };

        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            Directory.CreateDirectory(dataDirectory);
            // The managed RandomAccess device: Garnet's native Linux device needs libaio, which a
            // fresh machine lacks, and its absence crashes the process instead of failing a call.
            args.AddRange(["--checkpointdir", dataDirectory, "--aof", "--recover", "--device-type", "RandomAccess"]);
        }

        var server = new GarnetServer([.. args], loggerFactory);
        server.Start();
        return new EmbeddedGarnetServer(server, port);
    }

    public void Dispose() => _server.Dispose();

    private static int FreeLoopbackPort()
    {
        // There is a short window in which another process could take the port; Garnet
        // then fails to bind and start-up reports it, which is acceptable for a local store.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
