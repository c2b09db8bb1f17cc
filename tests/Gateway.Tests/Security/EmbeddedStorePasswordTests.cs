using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Tests.Security;

/// <summary>The embedded store has a random password per start: no other local process can write releases or keys.</summary>
public sealed class EmbeddedStorePasswordTests
{
    [Fact]
    public async Task A_client_without_the_password_cannot_read_or_write_the_embedded_store()
    {
        using var garnet = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k");
        await using var owner = await ConnectionMultiplexer.ConnectAsync(garnet.ConnectionString);
        await owner.GetDatabase().StringSetAsync("gw:release", "stable");

        var options = ConfigurationOptions.Parse($"127.0.0.1:{garnet.Port}");
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2_000;
        options.SyncTimeout = 2_000;
        await using var stranger = await ConnectionMultiplexer.ConnectAsync(options);

        await Assert.ThrowsAnyAsync<RedisException>(() => stranger.GetDatabase().StringSetAsync("gw:release", "attacker"));
        Assert.Equal("stable", (string?)await owner.GetDatabase().StringGetAsync("gw:release"));
    }

    [Fact]
    public async Task A_configured_password_with_the_connection_string_s_separators_still_connects()
    {
        using var garnet = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k", password: "ab,cd=ef gh");
        await using var owner = await ConnectionMultiplexer.ConnectAsync(garnet.ConnectionOptions());

        await owner.GetDatabase().StringSetAsync("gw:release", "stable");

        Assert.Equal("stable", (string?)await owner.GetDatabase().StringGetAsync("gw:release"));
    }

    [Fact]
    public void Every_start_has_its_own_password()
    {
        using var first = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k");
        using var second = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k");

        Assert.Contains(",password=", first.ConnectionString, StringComparison.Ordinal);
        Assert.NotEqual(first.ConnectionString.Split("password=")[1], second.ConnectionString.Split("password=")[1]);
    }
}
