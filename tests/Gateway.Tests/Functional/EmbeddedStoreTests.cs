using System.Net;
using System.Net.Sockets;
using LlmGateway.Auth;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace LlmGateway.Tests.Functional;

/// <summary>With no Redis configured, the gateway runs its own Garnet and stops it on shutdown.</summary>
public sealed class EmbeddedStoreTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_gateway_without_redis_serves_from_embedded_garnet_and_stops_it_cleanly()
    {
        var settings = env.GatewaySettings(useSharedStore: false);
        int port;
        await using (var gateway = await GatewayHost.StartAsync(settings))
        {
            var store = gateway.GetRequiredService<GatewayStore>();
            Assert.True(store.IsEmbedded);
            port = ((IPEndPoint)store.Connection.GetEndPoints().Single()).Port;

            var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("embedded", "test", []);
            var chat = OpenAiClients.For(gateway, key).GetChatClient("gpt-4o-mini");
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: Ct);
            Assert.Contains("user=ping", completion.Content[0].Text, StringComparison.Ordinal);

            // Lua is on: the release and queue features depend on it.
            var result = await store.Database.ScriptEvaluateAsync("return redis.call('INCRBY', KEYS[1], ARGV[1])", ["{lua}:probe"], [41]);
            Assert.Equal(41, (int)result);
        }

        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync(IPAddress.Loopback, port, Ct));
    }

    [Fact]
    public async Task The_embedded_store_keeps_data_across_restarts_when_given_a_data_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-garnet-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "64m", index: "8m"))
            {
                await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(first.ConnectionString);
                await connection.GetDatabase().StringSetAsync("persisted", "yes");
            }

            using var second = EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "64m", index: "8m");
            await using var reconnected = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(second.ConnectionString);
            Assert.Equal("yes", (string?)await reconnected.GetDatabase().StringGetAsync("persisted"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
