using LlmGateway.Admin;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Auth;

/// <summary>
/// Keeps <see cref="AdminTokenRegistry"/>'s stored tokens current: a first load before the server takes traffic,
/// then a reload on every published admin-token change (a revoked token is evicted first, at once), after a reconnect
/// and every <see cref="AuthOptions.AdminTokenRefreshSeconds"/> (which bounds how late an unpublished change, a raw
/// <c>DEL</c>, takes effect). When the store is down the last known tokens keep working.
/// </summary>
internal sealed class AdminTokenSyncService(
    AdminTokenRegistry registry,
    AdminTokenStore tokens,
    GatewayStore store,
    ChangeNotifier notifier,
    IOptions<AuthOptions> options,
    ILogger<AdminTokenSyncService> logger) : BackgroundService
{
    private readonly SemaphoreSlim _reloadNow = new(0, 1);
    private bool _subscribed;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        store.Connection.ConnectionRestored += (_, _) => RequestReload();
        await EnsureSubscribedAsync();
        await ReloadAsync();
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _reloadNow.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.AdminTokenRefreshSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _reloadNow.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await EnsureSubscribedAsync();
            await ReloadAsync();
        }
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }

        try
        {
            await store.Connection.GetSubscriber().SubscribeAsync(notifier.Channel, (_, message) => OnChange(message));
            _subscribed = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Retried on the next tick; until then the periodic reload alone keeps the tokens current.
        }
    }

    private void OnChange(RedisValue message)
    {
        if (AdminTokenStore.TryParseChange((string?)message ?? "", out var revoked, out var hash))
        {
            // A revoked token goes now; a new one (and anything else missed) comes with the reload.
            if (revoked)
            {
                registry.Evict(hash);
            }

            RequestReload();
        }
    }

    private void RequestReload()
    {
        if (_reloadNow.CurrentCount == 0)
        {
            try
            {
                _reloadNow.Release();
            }
            catch (SemaphoreFullException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            await registry.ReloadAsync(tokens);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            AuthLog.AdminTokensUnavailable(logger, ex.GetType().Name);
        }
    }
}
