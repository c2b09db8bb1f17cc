using System.Net;
using System.Net.Sockets;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// A loopback TCP relay between the gateway and its store, so <c>store-outage</c> can take the store away and give
/// it back without losing its data (a real restart of an in-memory Garnet would also wipe the releases, which is
/// another test). <see cref="Cut"/> drops every relayed connection and stops listening, so the gateway sees resets
/// and then "connection refused", as when the store host dies; <see cref="Restore"/> listens again on the same port.
/// </summary>
internal sealed class StoreRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();

    public StoreRelay(IPEndPoint target)
    {
        _target = target;
        Port = Listen(0);
    }

    public int Port { get; }

    public void Cut()
    {
        lock (_gate)
        {
            _cut.Cancel();
            _listener?.Stop();
            _listener = null;
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            _cut.Dispose();
            _cut = new CancellationTokenSource();
            Listen(Port);
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _cut.Dispose();
        return ValueTask.CompletedTask;
    }

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // Relayed connections linger in TIME_WAIT on this port after a cut; without this the re-bind would fail.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener, _cut.Token);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cut)
    {
        while (!cut.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cut);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, cut);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cut)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        lock (_gate)
        {
            if (cut.IsCancellationRequested)
            {
                client.Dispose();
                server.Dispose();
                return;
            }

            _sockets.Add(client);
            _sockets.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, cut);
            await Task.WhenAny(PumpAsync(client, server, cut), PumpAsync(server, client, cut));
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _sockets.Remove(client);
                _sockets.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cut)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cut);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cut);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
