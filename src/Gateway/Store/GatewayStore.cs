using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// The process's one connection to its store: a single multiplexer, plus the embedded
/// Garnet server when no Redis is configured (in a child process unless told otherwise).
/// Started before the server accepts requests.
/// </summary>
internal sealed class GatewayStore : IAsyncDisposable
{
    private readonly StoreOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime? _lifetime;
    private IEmbeddedStoreServer? _embedded;
    private ConnectionMultiplexer? _connection;
    private volatile bool _disposed;

    /// <param name="lifetime">Stopped when the embedded store's process dies (null: nothing to stop, e.g. a tool's connection).</param>
    public GatewayStore(IOptions<StoreOptions> options, ILoggerFactory loggerFactory, IHostApplicationLifetime? lifetime = null)
    {
        _lifetime = lifetime;
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<GatewayStore>();
        Keys = new StoreKeys(_options.KeyPrefix);
    }

    public StoreKeys Keys { get; }

    public bool IsEmbedded => _embedded is not null;

    /// <summary>The embedded store's own process, when it runs in one.</summary>
    public int? EmbeddedProcessId => (_embedded as EmbeddedStoreProcess)?.ProcessId;

    /// <summary>
    /// The embedded store's process ended without being asked to: nothing brings it back but a restart. Kept after
    /// the store is disposed, for the gateway's exit code.
    /// </summary>
    public bool EmbeddedProcessExited { get; private set; }

    /// <summary>The watchdog killed the embedded store's process because it stopped answering (see <see cref="EmbeddedProcessExited"/>).</summary>
    public bool EmbeddedProcessHung { get; private set; }

    /// <summary>
    /// Kills the embedded store's process as hung, and stops the gateway as its death would (exit code 1), without
    /// waiting for the exit to be reported. False when there is no such process (Redis, or a store in this process).
    /// </summary>
    public bool KillHungEmbeddedStore()
    {
        if (_embedded is not EmbeddedStoreProcess child)
        {
            return false;
        }

        EmbeddedProcessHung = child.KillHung();
        EmbeddedProcessExited = true;
        _lifetime?.StopApplication();
        return true;
    }

    // Disposed is its own exception: the store's callers expect ObjectDisposedException from a call that outlived the
    // stop (it is what their catch filters name), not the "not started" of a start-up bug.
    public IConnectionMultiplexer Connection =>
        _connection ?? (_disposed
            ? throw new ObjectDisposedException(nameof(GatewayStore), "The store was closed: the gateway is stopping.")
            : throw new InvalidOperationException("The store is not started yet."));

    public IDatabase Database => Connection.GetDatabase();

    public bool IsConnected => _connection?.IsConnected == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        ConfigurationOptions configuration;
        if (_options.UsesEmbeddedStore)
        {
            var embedded = _options.Embedded;
            if (embedded.OwnProcess)
            {
                // A gateway whose store died cannot get it back (a new one would be empty without a data directory):
                // it stops, so that whatever supervises it (a container restart policy, systemd, Kubernetes) starts
                // it again, rather than staying up unready. Given before the start, so no exit goes unheard.
                var child = await EmbeddedStoreProcess.StartAsync(
                    embedded,
                    () =>
                    {
                        EmbeddedProcessExited = true;
                        _lifetime?.StopApplication();
                    },
                    _logger,
                    cancellationToken);
                StoreLog.ChildStarted(_logger, child.ProcessId);
                _embedded = child;
            }
            else
            {
                _embedded = EmbeddedGarnetServer.Start(embedded.Port, embedded.DataDirectory, embedded.Memory, embedded.Index, _loggerFactory, embedded.PageSize, embedded.Password);
            }

            StoreLog.EmbeddedStarted(_logger, _embedded.Port, string.IsNullOrWhiteSpace(embedded.DataDirectory) ? "no data directory: state is not kept across restarts" : embedded.DataDirectory, embedded.Memory, embedded.PageSize, embedded.Index);
            configuration = _embedded.ConnectionOptions();
        }
        else
        {
            configuration = RedisUrl.Parse(_options.Configuration!);
        }

        // Never fail start-up because Redis is down: the gateway serves from its last known
        // state and reconnects in the background.
        configuration.AbortOnConnectFail = false;
        configuration.AsyncTimeout = _options.OperationTimeoutMs;
        configuration.SyncTimeout = _options.OperationTimeoutMs;
        configuration.ConnectTimeout = Math.Max(_options.OperationTimeoutMs, 2000);
        configuration.ClientName ??= "llm-gateway";

        _connection = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken);
        var endpoints = string.Join(",", configuration.EndPoints.Select(e => e.ToString()));
        StoreLog.Connected(_logger, endpoints, _connection.IsConnected);
        if (configuration.DefaultDatabase is > 0 && IsCluster)
        {
            // Every command would fail ("Multiple databases are not supported on this server"): say so once, at start.
            await DisposeAsync();
            throw new InvalidOperationException(
                $"Redis:Configuration names database {configuration.DefaultDatabase}, but the store is a Redis Cluster, which has only database 0: remove the database number (a URL's /{configuration.DefaultDatabase}, or defaultDatabase=) and keep gateways apart with Redis:KeyPrefix.");
        }
    }

    /// <summary>The store is a Redis Cluster (known once a node has answered).</summary>
    public bool IsCluster => _connection?.GetServers().Any(s => s.IsConnected && s.ServerType == ServerType.Cluster) == true;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            await _connection.DisposeAsync();
            _connection = null;
        }

        if (_embedded is not null)
        {
            _embedded.Dispose();
            StoreLog.EmbeddedStopped(_logger, _embedded.Port);
            _embedded = null;
        }
    }
}
