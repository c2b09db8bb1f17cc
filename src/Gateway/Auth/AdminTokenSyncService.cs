using LlmGateway.Admin;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Auth;

/// <summary>
/// Keeps <see cref="AdminTokenRegistry"/>'s stored tokens current (<see cref="StoreStateFollower"/>): a reload on every
/// published admin-token change (a revoked token is evicted first, at once), after a reconnect and every
/// <see cref="AuthOptions.AdminTokenRefreshSeconds"/> (which bounds how late an unpublished change, a raw <c>DEL</c>,
/// takes effect). When the store is down the last known tokens keep working.
/// </summary>
internal sealed class AdminTokenSyncService(
    AdminTokenRegistry registry,
    AdminTokenStore tokens,
    GatewayStore store,
    ChangeNotifier notifier,
    IOptions<AuthOptions> options,
    ILogger<AdminTokenSyncService> logger) : StoreStateFollower(store, notifier)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.AdminTokenRefreshSeconds);

    protected override void OnChange(string message)
    {
        if (AdminTokenStore.TryParseChange(message, out var revoked, out var hash))
        {
            // A revoked token goes now; a new one (and anything else missed) comes with the reload.
            if (revoked)
            {
                registry.Evict(hash);
            }

            RequestReload();
        }
    }

    protected override async Task ReloadAsync()
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
