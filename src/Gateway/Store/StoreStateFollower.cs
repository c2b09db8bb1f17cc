using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// Keeps an in-memory copy of some store state current: a first load before the server takes traffic, then a reload
/// when nudged (a message on the change channel, a reconnect) and every <see cref="Interval"/>, which bounds how late a
/// change nobody published (a raw write) takes effect. Subscribes once the store is reachable; until then the periodic
/// reload alone keeps the copy current. When the store is down the last known copy stays.
/// </summary>
internal abstract class StoreStateFollower(GatewayStore store, ChangeNotifier notifier) : BackgroundService
{
    private readonly SemaphoreSlim _reloadNow = new(0, 1);
    private bool _subscribed;

    protected GatewayStore Store { get; } = store;

    /// <summary>The longest a reload waits for a nudge.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Reads the state again; never throws for a store that is down (the loop must go on).</summary>
    protected abstract Task ReloadAsync();

    /// <summary>A message of the change channel: act on it at once, or <see cref="RequestReload"/>.</summary>
    protected abstract void OnChange(string message);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Store.Connection.ConnectionRestored += (_, _) => RequestReload();
        await EnsureSubscribedAsync();

        // A first load before the server takes traffic; if the store is down, start anyway.
        await ReloadAsync();
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Asks for a reload now; one pending request is enough, since a reload reads everything.</summary>
    protected void RequestReload()
    {
        if (_reloadNow.CurrentCount == 0)
        {
            try
            {
                _reloadNow.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another request got there first.
            }
            catch (ObjectDisposedException)
            {
                // A reconnect or a message during shutdown.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _reloadNow.WaitAsync(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await EnsureSubscribedAsync();
            await ReloadAsync();
        }
    }

    public override void Dispose()
    {
        _reloadNow.Dispose();
        base.Dispose();
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }

        try
        {
            await Store.Connection.GetSubscriber().SubscribeAsync(notifier.Channel, (_, message) => OnChange((string?)message ?? ""));
            _subscribed = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Retried on the next tick.
        }
    }
}
