using System.Net;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Auth;

/// <summary>The authenticator's memo of key hashes against the real store: only confirmed keys, and gone on revocation.</summary>
public sealed class GatewayKeyAuthenticatorMemoTests(TestEnvironment env)
{
    private GatewayKeyStore Keys => env.Gateway.GetRequiredService<GatewayKeyStore>();

    [Fact]
    public async Task A_confirmed_key_is_remembered_an_unknown_one_is_not_and_a_revoked_one_is_forgotten_and_refused()
    {
        var authenticator = new GatewayKeyAuthenticator(
            Keys, Options.Create(new AuthOptions { CacheSeconds = 60, NegativeCacheSeconds = 0 }), TimeProvider.System, NullLogger<GatewayKeyAuthenticator>.Instance);
        var (key, secret) = await Keys.CreateAsync("memo", "production", [GatewayKeyPermissions.Pin]);

        Assert.NotNull((await authenticator.AuthenticateAsync(Request(secret))).Key);
        Assert.NotNull((await authenticator.AuthenticateAsync(Request(secret))).Key);
        Assert.Null((await authenticator.AuthenticateAsync(Request(GatewayKeySecret.Generate()))).Key);
        Assert.Equal(1, authenticator.RememberedSecrets);

        Assert.NotNull(await Keys.RevokeAsync(key.Id));
        authenticator.Evict(GatewayKeySecret.Hash(secret));

        Assert.Equal(0, authenticator.RememberedSecrets);
        var refused = await authenticator.AuthenticateAsync(Request(secret));
        Assert.Null(refused.Key);
        Assert.Equal((int)HttpStatusCode.Unauthorized, refused.Error!.StatusCode);
        Assert.Equal(0, authenticator.RememberedSecrets);
    }

    [Fact]
    public async Task With_the_memo_off_a_key_works_and_no_secret_is_remembered()
    {
        var authenticator = new GatewayKeyAuthenticator(
            Keys, Options.Create(new AuthOptions { CacheSeconds = 60, RememberedKeyHashes = 0 }), TimeProvider.System, NullLogger<GatewayKeyAuthenticator>.Instance);
        var (key, secret) = await Keys.CreateAsync("memo-off", "production", []);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(key.Id, (await authenticator.AuthenticateAsync(Request(secret))).Key?.Id);
        }

        Assert.Equal(0, authenticator.RememberedSecrets);
        Assert.NotNull(await Keys.RevokeAsync(key.Id));
        authenticator.Evict(GatewayKeySecret.Hash(secret));
        Assert.Null((await authenticator.AuthenticateAsync(Request(secret))).Key);
    }

    private static HttpRequest Request(string secret)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + secret;
        return context.Request;
    }
}
