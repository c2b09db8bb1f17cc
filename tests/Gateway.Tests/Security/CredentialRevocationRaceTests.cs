using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A lookup in flight when a gateway key is revoked cannot put the key back in the cache: the lookup is
/// held between its store read (key present) and its cache insert while the key is deleted and evicted,
/// then let go. No timing: a gate in the lookup and the eviction applied before the gate opens.
/// </summary>
public sealed class CredentialRevocationRaceTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_gateway_key_revoked_during_its_lookup_is_not_cached_afterwards()
    {
        var gate = new CredentialLookupGate();
        var settings = env.GatewaySettings();

        // A cached key is not re-checked for an hour: only the eviction can take it out.
        settings["Gateway:Auth:CacheSeconds"] = "3600";
        await using var gateway = await GatewayHost.StartAsync(settings, builder => builder.Services.AddSingleton<ICredentialLookupHook>(gate));
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var store = gateway.GetRequiredService<GatewayStore>();
        var authenticator = gateway.GetRequiredService<GatewayKeyAuthenticator>();
        var (_, secret) = await keys.CreateAsync("race", "test", []);
        var hash = GatewayKeySecret.Hash(secret);
        using var client = gateway.CreateClient(secret);

        gate.Arm(hash);
        var inFlight = SendAsync(client);
        await gate.Reached.WaitAsync(Ct);

        // Revoked while the lookup holds what it read: deleted, and the eviction (what the published
        // change does on every instance) applied now, before the lookup goes on.
        Assert.True(await store.Database.KeyDeleteAsync(store.Keys.GatewayKey(hash)));
        authenticator.Evict(hash);
        gate.Open();

        using var first = await inFlight;
        using var after = await SendAsync(client);

        await ErrorAssertions.AssertOpenAiErrorAsync(first, HttpStatusCode.Unauthorized, "invalid_api_key");
        await ErrorAssertions.AssertOpenAiErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client) =>
        client.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"race"}]}""", Encoding.UTF8, "application/json"),
            Ct);
}
