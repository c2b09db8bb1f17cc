using System.Net;
using System.Net.Sockets;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of a real server, so a test can take the server away (every
/// connection dropped, new ones refused) and give it back on the same port, data intact, or hold the
/// server's replies back while its requests still go through (a stalled store: the writes land, their replies are late).
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();
    private TaskCompletionSource _replies = Released();

    public TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener, _cut.Token);
    }

    public int Port { get; }

    /// <summary>Drops every connection and stops listening: clients see connection refused.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    /// <summary>From now on, bytes from the server wait (in order) until <see cref="ReleaseReplies"/>; bytes to it still flow.</summary>
    public void HoldReplies()
    {
        lock (_connections)
        {
            if (_replies.Task.IsCompleted)
            {
                _replies = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Lets the held replies, and all later ones, through.</summary>
    public void ReleaseReplies()
    {
        lock (_connections)
        {
            _replies.TrySetResult();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Restore()
    {
        _cut = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _cut.Token);
    }

    public ValueTask DisposeAsync()
    {
        ReleaseReplies();
        Cut();
        _cut.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var server = new TcpClient();
                await server.ConnectAsync(_target, cancellationToken);
                lock (_connections)
                {
                    _connections.Add(client);
                    _connections.Add(server);
                }

                _ = PumpAsync(client, server, null, cancellationToken);
                _ = PumpAsync(server, client, RepliesFlowAsync, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Cut: the listener is gone.
        }
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource();
        released.SetResult();
        return released;
    }

    private Task RepliesFlowAsync(CancellationToken cancellationToken)
    {
        lock (_connections)
        {
            return _replies.Task.WaitAsync(cancellationToken);
        }
    }

    /// <param name="gate">Awaited before each chunk read is passed on (null: copied straight through).</param>
    private static async Task PumpAsync(TcpClient from, TcpClient to, Func<CancellationToken, Task>? gate, CancellationToken cancellationToken)
    {
        try
        {
            if (gate is null)
            {
                await from.GetStream().CopyToAsync(to.GetStream(), cancellationToken);
                return;
            }

            var source = from.GetStream();
            var target = to.GetStream();
            var buffer = new byte[81_920];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await gate(cancellationToken);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
