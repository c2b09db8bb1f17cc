using System.Net;
using LlmGateway.Auth;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A stored credential whose record does not read (a raw write, another version's shape) is left out alone: it
/// neither stops the gateways nor answers 500, and it can still be revoked.
/// </summary>
public sealed class UnreadableCredentialTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unreadable_admin_token_record_does_not_stop_a_gateway_starting_and_can_be_revoked()
    {
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-bt-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await GatewayHost.StartAsync(settings);
        var store = first.GetRequiredService<GatewayStore>();
        var hash = GatewayKeySecret.Hash("gwa_" + Guid.NewGuid().ToString("N"));
        await store.Database.StringSetAsync($"{store.Keys.Prefix}:{{admin-token}}:{hash}", "{\"id\":\"adm_bad\",\"name\":\"bad\"");
        await store.Database.HashSetAsync($"{store.Keys.Prefix}:{{admin-token}}:index", "adm_bad", hash);
        await store.Database.StringSetAsync($"{store.Keys.Prefix}:{{admin-token}}:{hash}x", "{\"id\":\"adm_noroles\",\"name\":\"noroles\"}");
        await store.Database.HashSetAsync($"{store.Keys.Prefix}:{{admin-token}}:index", "adm_noroles", hash + "x");

        // Each instance reads every stored token at start: this one did not start before.
        await using var second = await GatewayHost.StartAsync(settings);
        using var admin = new AdminClient(second, TestEnvironment.AdminToken);

        var listed = (await admin.GetAsync("/admin/v1/admin-tokens")).Expect(HttpStatusCode.OK).Text;
        Assert.DoesNotContain("adm_bad", listed, StringComparison.Ordinal);
        (await admin.DeleteAsync("/admin/v1/admin-tokens/adm_bad")).Expect(HttpStatusCode.NoContent);
        (await admin.DeleteAsync("/admin/v1/admin-tokens/adm_noroles")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_gateway_key_whose_record_does_not_read_is_refused_as_invalid_not_a_500()
    {
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var secret = GatewayKeySecret.Generate();
        var hash = GatewayKeySecret.Hash(secret);
        await store.Database.StringSetAsync(store.Keys.GatewayKey(hash), "{\"id\":\"" + GatewayKeySecret.IdFromHash(hash) + "\",\"limits\":{\"daily_usd\":\"lots\"}}");
        await store.Database.HashSetAsync(store.Keys.GatewayKeyIndex, GatewayKeySecret.IdFromHash(hash), hash);
        using var client = env.Gateway.CreateClient(secret);
        using var content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        using var admin = new AdminClient(env.Gateway, TestEnvironment.AdminToken);
        (await admin.GetAsync("/admin/v1/keys")).Expect(HttpStatusCode.OK);
        (await admin.DeleteAsync("/admin/v1/keys/" + GatewayKeySecret.IdFromHash(hash))).Expect(HttpStatusCode.NoContent);
    }
}
