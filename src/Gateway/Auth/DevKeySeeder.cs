using Microsoft.Extensions.Options;

namespace LlmGateway.Auth;

/// <summary>Registers the demo key in the store at start-up, in demo mode only.</summary>
internal sealed class DevKeySeeder(GatewayKeyStore keys, IOptions<AuthOptions> options, ILogger<DevKeySeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var devKey = options.Value.DevKey;
        if (!devKey.Enabled)
        {
            return;
        }

        try
        {
            var key = await keys.RegisterAsync(devKey.Key, devKey.App, devKey.Environment, GatewayKeyPermissions.All);
            AuthLog.DevKeyRegistered(logger, key.App, key.Environment, key.Id);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            AuthLog.DevKeyFailed(logger, ex.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
