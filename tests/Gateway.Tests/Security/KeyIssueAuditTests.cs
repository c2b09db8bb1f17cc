using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>Issuing a gateway key leaves a trail naming the key (its id, never its secret) and what it may do.</summary>
public sealed class KeyIssueAuditTests(TestEnvironment env)
{
    [Fact]
    public async Task A_key_issued_is_audited_with_its_id_app_environment_permissions_and_limits()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var olga = new AdminClient(gateway.Host, TestEnvironment.OperatorToken);

        var created = (await olga.PostAsync("/admin/v1/keys",
            """{"app":"checkout","environment":"production","permissions":["debug"],"limits":{"daily_spend_usd":5}}""")).Expect(HttpStatusCode.Created).Json;

        var id = created.GetProperty("record").GetProperty("id").GetString()!;
        var entry = Assert.Single(await gateway.EntriesAsync(), e => e.Action == "CreateKey");
        Assert.Equal($"created {id} app=checkout env=production permissions=debug limits=daily_usd=5", entry.Detail);
        Assert.DoesNotContain(created.GetProperty("key").GetString()!, entry.Detail, StringComparison.Ordinal);
    }
}
