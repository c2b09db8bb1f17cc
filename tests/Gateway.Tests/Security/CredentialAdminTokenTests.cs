using System.Net;
using LlmGateway.Admin;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Admin tokens rotate without a restart: issued, listed and revoked through <c>/admin/v1/admin-tokens</c>, stored
/// hashed, a revocation in force at once on the instance that made it and, through the published change, on every
/// other; no token can be given a role its issuer lacks; the configured tokens stay as bootstrap.
/// </summary>
public sealed class CredentialAdminTokenTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_issued_admin_token_works_at_once_is_listed_without_its_secret_and_stops_when_revoked()
    {
        using var olga = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var issued = (await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"ci-releaser","roles":["viewer","operator"]}""")).Expect(HttpStatusCode.Created);
        var secret = issued.Json.GetProperty("token").GetString()!;
        var record = issued.Json.GetProperty("record");
        var id = record.GetProperty("id").GetString()!;
        Assert.StartsWith("gwa_", secret, StringComparison.Ordinal);
        Assert.Equal("stored", record.GetProperty("source").GetString());
        Assert.Equal("olga", record.GetProperty("created_by").GetString());

        using var ci = new AdminClient(env.Gateway, secret);
        (await ci.GetAsync("/admin/v1/keys")).Expect(HttpStatusCode.OK);
        var listed = (await ci.GetAsync("/admin/v1/admin-tokens")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(secret, listed.Text, StringComparison.Ordinal);
        var sources = listed.Json.EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("source").GetString());
        Assert.Equal("stored", sources[id]);
        Assert.Equal("configuration", sources[AdminTokenRegistry.ConfiguredId("olga")]);

        // Stored hashed: the store holds the token's record under its SHA-256, never the secret.
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var raw = (string?)await store.Database.StringGetAsync($"{store.Keys.Prefix}:{{admin-token}}:{GatewayKeySecret.Hash(secret)}");
        Assert.NotNull(raw);
        Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);

        // The new token revokes itself (rotation from a pipeline): refused from the next request on.
        (await DeleteAsync(env.Gateway, secret, $"/admin/v1/admin-tokens/{id}")).Expect(HttpStatusCode.NoContent);

        Assert.Equal("invalid_api_key", (await ci.GetAsync("/admin/v1/keys")).Expect(HttpStatusCode.Unauthorized).ErrorCode);
        Assert.Equal("admin_token_not_found", (await DeleteAsync(env.Gateway, TestEnvironment.OperatorToken, $"/admin/v1/admin-tokens/{id}")).Expect(HttpStatusCode.NotFound).ErrorCode);
        Assert.Equal("configured_token", (await DeleteAsync(env.Gateway, TestEnvironment.OperatorToken, $"/admin/v1/admin-tokens/{AdminTokenRegistry.ConfiguredId("olga")}")).Expect(HttpStatusCode.Conflict).ErrorCode);
        (await olga.GetAsync("/admin/v1/keys")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(TestEnvironment.OperatorToken, """{"name":"sneaky","roles":["author"]}""", HttpStatusCode.Forbidden, "role_not_held")]
    [InlineData(TestEnvironment.ViewerToken, """{"name":"sneaky","roles":["viewer"]}""", HttpStatusCode.Forbidden, "missing_role")]
    [InlineData(TestEnvironment.OperatorToken, """{"name":"nobody","roles":[]}""", HttpStatusCode.BadRequest, "invalid_value")]
    [InlineData(TestEnvironment.OperatorToken, """{"name":"who","roles":["root"]}""", HttpStatusCode.BadRequest, "invalid_value")]
    [InlineData(TestEnvironment.OperatorToken, "{\"name\":\"trailing\\n\",\"roles\":[\"viewer\"]}", HttpStatusCode.BadRequest, "invalid_value")]
    public async Task A_token_gets_no_role_its_issuer_lacks_and_a_bad_request_issues_nothing(string token, string body, HttpStatusCode status, string code)
    {
        using var admin = new AdminClient(env.Gateway, token);
        var before = env.Gateway.GetRequiredService<AdminTokenRegistry>().List().Count;

        Assert.Equal(code, (await admin.PostAsync("/admin/v1/admin-tokens", body)).Expect(status).ErrorCode);

        Assert.Equal(before, env.Gateway.GetRequiredService<AdminTokenRegistry>().List().Count);
    }

    [Theory]
    [InlineData("""{"name":"{name}","roles":["viewer"],"expires_in":"1h"}""", "expires_in")]
    [InlineData("""{"name":"{name}","roles":["viewer"],"Roles":["operator"]}""", "Roles")]
    public async Task A_token_request_with_a_field_the_gateway_does_not_know_is_400_naming_it_and_issues_nothing(string body, string param)
    {
        // A field the gateway does not read (an expiry it has none of, a misspelling) must not issue a token other than
        // the one asked for.
        var name = "typo-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = await admin.PostAsync("/admin/v1/admin-tokens", body.Replace("{name}", name, StringComparison.Ordinal));

        Assert.Equal(param, refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.DoesNotContain(env.Gateway.GetRequiredService<AdminTokenRegistry>().List(), t => t.Name == name);
    }

    [Fact]
    public async Task A_token_issued_on_one_instance_works_on_another_until_revoked_there()
    {
        await using var other = await GatewayHost.StartAsync(env.GatewaySettings());
        using var olga = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var issued = (await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"elsewhere","roles":["viewer"]}""")).Expect(HttpStatusCode.Created);
        var secret = issued.Json.GetProperty("token").GetString()!;
        var id = issued.Json.GetProperty("record").GetProperty("id").GetString()!;
        using var there = new AdminClient(other, secret);

        // Propagation is by the published change (the periodic reload is 30 s away): waited for, not slept.
        var accepted = await Eventually.ResultAsync(() => there.GetAsync("/admin/v1/keys"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        accepted.Expect(HttpStatusCode.OK);

        (await DeleteAsync(env.Gateway, TestEnvironment.OperatorToken, $"/admin/v1/admin-tokens/{id}")).Expect(HttpStatusCode.NoContent);

        var refused = await Eventually.ResultAsync(() => there.GetAsync("/admin/v1/keys"), r => r.Status == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10));
        refused.Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_reload_in_flight_when_an_admin_token_is_revoked_does_not_bring_it_back()
    {
        var tokens = env.Gateway.GetRequiredService<AdminTokenStore>();
        var (record, hash, secret) = await tokens.IssueAsync("reload-race", ["viewer"], "test");
        var gate = new CredentialLookupGate();

        // A registry of its own, so only this test reloads it (the gateway's reloads on published changes).
        var registry = new AdminTokenRegistry(Options.Create(new AdminOptions()), gate);
        gate.Arm(hash);
        var reload = registry.ReloadAsync(tokens);
        await gate.Reached.WaitAsync(Ct);

        // Revoked while the reload holds a list that still has it: deleted, and evicted (what the published change does).
        Assert.Equal(hash, await tokens.RevokeAsync(record.Id));
        registry.Evict(hash);
        gate.Open();
        await reload.WaitAsync(Ct);

        Assert.Null(registry.Find(secret));
        Assert.DoesNotContain(registry.List(), t => t.Id == record.Id);
    }

    [Fact]
    public async Task A_stored_token_is_loaded_by_a_gateway_that_starts_after_it_was_issued()
    {
        var tokens = env.Gateway.GetRequiredService<AdminTokenStore>();
        var (_, _, secret) = await tokens.IssueAsync("earlier", ["viewer"], "test");

        await using var later = await GatewayHost.StartAsync(env.GatewaySettings());
        using var client = new AdminClient(later, secret);

        // No wait: the first load happens before the gateway takes traffic.
        (await client.GetAsync("/admin/v1/keys")).Expect(HttpStatusCode.OK);
    }

    private static async Task<AdminResponse> DeleteAsync(GatewayHost gateway, string token, string path)
    {
        using var client = gateway.CreateClient(token);
        using var response = await client.DeleteAsync(path, Ct);
        return new AdminResponse(response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
