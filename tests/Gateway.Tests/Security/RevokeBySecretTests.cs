using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A revoke whose id is a secret (pasted in an incident, when the secret is what one has) is refused without the secret
/// reaching the answer or the audit trail, which every viewer reads for 400 days.
/// </summary>
public sealed class RevokeBySecretTests(TestEnvironment env)
{
    [Theory]
    [InlineData("/admin/v1/keys/", "gwk_")]
    [InlineData("/admin/v1/admin-tokens/", "gwa_")]
    public async Task A_secret_where_an_id_belongs_is_refused_and_never_echoed_or_audited(string path, string prefix)
    {
        var secret = prefix + Guid.NewGuid().ToString("N") + "Xk2LrT9bN4wYc7Hf";
        using var admin = new AdminClient(env.Gateway, TestEnvironment.AdminToken);

        var refused = await admin.DeleteAsync(path + secret);

        var error = refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Equal("secret_not_id", error.GetProperty("code").GetString());
        Assert.Equal("id", error.GetProperty("param").GetString());
        Assert.DoesNotContain(secret, refused.Text, StringComparison.Ordinal);
        var audit = (await admin.GetAsync("/admin/v1/audit?limit=200")).Expect(HttpStatusCode.OK).Text;
        Assert.Contains("secret_not_id", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
    }
}
