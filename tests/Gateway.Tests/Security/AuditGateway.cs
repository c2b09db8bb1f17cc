using LlmGateway.Audit;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A gateway of its own on the shared store, under a key prefix of its own, so its audit log and
/// its per-address limits see no other test (every test calls from 127.0.0.1).
/// </summary>
public sealed class AuditGateway : IAsyncDisposable
{
    private AuditGateway(GatewayHost host, string prefix)
    {
        Host = host;
        Prefix = prefix;
    }

    public GatewayHost Host { get; }

    public string Prefix { get; }

    public static async Task<AuditGateway> StartAsync(
        TestEnvironment env, IDictionary<string, string?>? extra = null, TimeProvider? clock = null, ILoggerProvider? logs = null)
    {
        var settings = env.GatewaySettings();
        // The production defaults of the limits these tests are about (the shared settings lift them).
        settings.Remove("Gateway:Admin:FailedAuthenticationsPerMinute");
        settings.Remove("Gateway:Admin:Audit:RefusalsPerActorPerMinute");
        var prefix = env.KeyPrefix + "-audit-" + Guid.NewGuid().ToString("N")[..8];
        settings["Redis:KeyPrefix"] = prefix;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = await GatewayHost.StartAsync(settings, builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton(clock);
            }

            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        });
        return new AuditGateway(host, prefix);
    }

    internal AuditLog Audit => Host.GetRequiredService<AuditLog>();

    /// <summary>Every audit entry, newest first.</summary>
    internal async Task<IReadOnlyList<AuditEntry>> EntriesAsync() => await Audit.ListAsync(null, null, 1_000_000);

    internal async Task<long> CountAsync()
    {
        var store = Host.GetRequiredService<GatewayStore>();
        return await store.Database.SortedSetLengthAsync(store.Keys.Audit);
    }

    public async ValueTask DisposeAsync()
    {
        var store = Host.GetRequiredService<GatewayStore>();
        try
        {
            foreach (var server in store.Connection.GetServers())
            {
                await foreach (var key in server.KeysAsync(pattern: Prefix + ":*"))
                {
                    await store.Database.KeyDeleteAsync(key);
                }
            }
        }
        catch (StackExchange.Redis.RedisException)
        {
            // A gateway pointed at no store has nothing to clean.
        }

        await Host.DisposeAsync();
    }
}
