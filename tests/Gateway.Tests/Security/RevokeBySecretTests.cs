using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A revoke whose id is a secret (pasted in an incident, when the secret is what one has) is refused without the secret
/// reaching the answer or the audit trail, which every viewer reads for 400 days. On a gateway and audit log of its own.
/// </summary>
public sealed class RevokeBySecretTests(TestEnvironment env)
{
    public static TheoryData<string, string> Secrets() => new()
    {
        { "/admin/v1/keys/", "gwk_" + Guid.NewGuid().ToString("N") + "Xk2LrT9bN4wYc7Hf" },
        { "/admin/v1/admin-tokens/", "gwa_" + Guid.NewGuid().ToString("N") + "Xk2LrT9bN4wYc7Hf" },
        // A configuration token can be any string: the one the request itself presents.
        { "/admin/v1/admin-tokens/", TestEnvironment.AdminToken },
        { "/admin/v1/keys/", TestEnvironment.AdminToken },
        // Pasted with what surrounded it: a line of an env file, a header, quotes.
        { "/admin/v1/keys/", "OPENAI_API_KEY=gwk_" + Guid.NewGuid().ToString("N") + "Xk2LrT9bN4wYc7Hf" },
        { "/admin/v1/admin-tokens/", "Bearer " + TestEnvironment.AdminToken },
        { "/admin/v1/admin-tokens/", "X-Admin-Token:" + TestEnvironment.AdminToken },
        { "/admin/v1/keys/", "\"" + TestEnvironment.AdminToken + "\"" },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public async Task A_secret_where_an_id_belongs_is_refused_and_never_echoed_or_audited(string path, string secret)
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);

        var refused = await admin.DeleteAsync(path + secret);
        var wrongMethod = await admin.PostAsync(path + secret);

        var error = refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Equal("secret_not_id", error.GetProperty("code").GetString());
        Assert.Equal("id", error.GetProperty("param").GetString());
        Assert.DoesNotContain(secret, refused.Text, StringComparison.Ordinal);
        if (LlmGateway.Contracts.Keys.SecretPrefixes.IsSecretWhereIdBelongs(secret))
        {
            // The 405 for the wrong method answers the caller with its own path, unless it holds an issued secret.
            Assert.DoesNotContain(secret, wrongMethod.Text, StringComparison.Ordinal);
        }

        var entry = Assert.Single(await gateway.EntriesAsync(), e => e.Status == 400);
        Assert.Equal("id=<secret>", entry.Target);
        Assert.DoesNotContain(secret, entry.Detail ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/v1/keys/")]
    [InlineData("/admin/v1/admin-tokens/")]
    public async Task A_configuration_token_holding_a_slash_sent_escaped_is_refused_and_never_echoed_or_audited(string path)
    {
        // Base64 tokens hold '/': gatewayctl sends an id as one escaped segment, and the server keeps its %2F.
        var token = "abc/def+" + Guid.NewGuid().ToString("N") + "==";
        var escaped = Uri.EscapeDataString(token);
        await using var gateway = await AuditGateway.StartAsync(env, new Dictionary<string, string?>
        {
            ["Gateway:Admin:Tokens:slashed:Token"] = token,
            ["Gateway:Admin:Tokens:slashed:Roles:0"] = "viewer",
        });
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);

        var refused = await admin.DeleteAsync(path + escaped);

        Assert.Equal("secret_not_id", refused.Expect(HttpStatusCode.BadRequest).ErrorCode);
        Assert.DoesNotContain(token, refused.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(escaped, refused.Text, StringComparison.OrdinalIgnoreCase);
        var entries = await gateway.EntriesAsync();
        Assert.Equal("id=<secret>", Assert.Single(entries, e => e.Status == 400).Target);
        Assert.DoesNotContain(entries, e => $"{e.Target} {e.Detail}".Contains("def+", StringComparison.Ordinal) || $"{e.Target} {e.Detail}".Contains("%2F", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("Bearer gwk_abc123", true)]
    [InlineData("KEY=gwa_abc123", true)]
    [InlineData("key: gwk_abc123", true)]
    [InlineData("'gwk_abc123'", true)]
    [InlineData("\u00A0gwk_abc123", true)]
    [InlineData("Bearer+gwk_abc123", true)]
    [InlineData("gwk_abc123", true)]
    [InlineData("x-gwk_summary", false)]
    [InlineData("team.gwa_notes", false)]
    public void A_name_holding_an_issued_secret_as_a_word_is_masked_and_one_holding_the_letters_is_not(string value, bool secret) =>
        Assert.Equal(secret, LlmGateway.Contracts.Keys.SecretPrefixes.IsSecretShaped(value));

    [Fact]
    public async Task An_audited_read_whose_id_is_a_configuration_token_keeps_the_token_out_of_the_audit_detail()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var reader = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        var token = TestEnvironment.AdminToken;

        // A sample read is audited, and its 404 names the id it did not find.
        var missing = await reader.GetAsync("/admin/v1/samples/" + token);

        missing.Expect(HttpStatusCode.NotFound);
        var entry = Assert.Single(await gateway.EntriesAsync(), e => e.Status == 404);
        Assert.Equal("id=<secret>", entry.Target);
        Assert.Contains("<secret>", entry.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(token, entry.Detail ?? "", StringComparison.Ordinal);
    }
}
