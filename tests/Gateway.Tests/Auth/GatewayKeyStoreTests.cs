using System.Net;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Auth;

/// <summary>Gateway keys in the real store (Garnet or Redis, whichever the run uses).</summary>
public sealed class GatewayKeyStoreTests(TestEnvironment env)
{
    private GatewayKeyStore Keys => env.Gateway.GetRequiredService<GatewayKeyStore>();

    [Fact]
    public async Task Only_the_hash_of_a_key_is_stored()
    {
        var (key, secret) = await Keys.CreateAsync("billing", "production", [GatewayKeyPermissions.Pin]);

        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var server = store.Connection.GetServers().First();
        await foreach (var redisKey in server.KeysAsync(pattern: env.KeyPrefix + ":*"))
        {
            Assert.DoesNotContain(secret, redisKey.ToString(), StringComparison.Ordinal);
            if (await store.Database.KeyTypeAsync(redisKey) == StackExchange.Redis.RedisType.String)
            {
                Assert.DoesNotContain(secret, (string?)await store.Database.StringGetAsync(redisKey) ?? "", StringComparison.Ordinal);
            }
        }

        var found = await Keys.FindByHashAsync(GatewayKeySecret.Hash(secret));
        Assert.NotNull(found);
        Assert.Equal(key.Id, found.Id);
        Assert.Equal("billing", found.App);
        Assert.Equal("production", found.Environment);
        Assert.Equal([GatewayKeyPermissions.Pin], found.Permissions);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_every_instance()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Auth:CacheSeconds"] = "60";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var (key, secret) = await keys.CreateAsync("temp", "test", []);
        using var client = gateway.CreateClient(secret);

        using var before = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        Assert.NotNull(await keys.RevokeAsync(key.Id));

        // The revocation is published; wait on the condition, bounded by the release propagation bound.
        var after = await Eventually.ResultAsync(
            async () => await client.GetAsync("/v1/models", TestContext.Current.CancellationToken),
            response => response.StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await ErrorAssertions.AssertOpenAiErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
        after.Dispose();
        Assert.DoesNotContain(await keys.ListAsync(), k => k.Id == key.Id);
        Assert.Null(await keys.RevokeAsync(key.Id));
    }

    [Fact]
    public async Task The_instance_that_revokes_a_key_refuses_it_at_once_even_when_the_published_change_is_lost()
    {
        // A long cache, and no change reaching this instance (as in a store brownout or a dropped subscription): only
        // the revoking request itself can make this instance forget the key before the cache's revalidation.
        var settings = env.GatewaySettings();
        settings["Gateway:Auth:CacheSeconds"] = "300";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var (key, secret) = await keys.CreateAsync("revoked-here", "test", []);
        using var client = gateway.CreateClient(secret);
        using var before = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await gateway.GetRequiredService<LlmGateway.Store.GatewayStore>().Connection.GetSubscriber().UnsubscribeAllAsync();
        using var admin = new AdminClient(gateway, TestEnvironment.OperatorToken);

        (await admin.DeleteAsync($"/admin/v1/keys/{key.Id}")).Expect(HttpStatusCode.NoContent);
        using var after = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);

        await ErrorAssertions.AssertOpenAiErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task A_revocation_retried_after_its_first_try_committed_still_makes_this_instance_forget_the_key()
    {
        // The first try's store write committed, then the call failed before this instance forgot the key (here: the
        // store revoked it directly, its change not reaching this instance); the operator's retry answers 404.
        var settings = env.GatewaySettings();
        settings["Gateway:Auth:CacheSeconds"] = "300";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var (key, secret) = await keys.CreateAsync("revoked-twice", "test", []);
        using var client = gateway.CreateClient(secret);
        using var before = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await gateway.GetRequiredService<LlmGateway.Store.GatewayStore>().Connection.GetSubscriber().UnsubscribeAllAsync();
        Assert.NotNull(await keys.RevokeAsync(key.Id));
        using var admin = new AdminClient(gateway, TestEnvironment.OperatorToken);

        Assert.Equal("key_not_found", (await admin.DeleteAsync($"/admin/v1/keys/{key.Id}")).Expect(HttpStatusCode.NotFound).ErrorCode);
        using var after = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);

        await ErrorAssertions.AssertOpenAiErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }
}
