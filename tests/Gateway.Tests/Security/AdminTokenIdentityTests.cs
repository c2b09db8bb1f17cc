using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// An issued admin token acts under its name in bundles, approvals, history and the audit log: so no one may issue a
/// token under a name someone else holds, and a token one issued oneself cannot approve one's own version (nor can one
/// approve a version pushed through one's own token). On a gateway and audit log of its own.
/// </summary>
public sealed class AdminTokenIdentityTests(TestEnvironment env)
{
    [Fact]
    public async Task A_token_cannot_be_issued_under_a_name_someone_else_holds_but_its_issuer_may_rotate_it()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var olga = new AdminClient(gateway.Host, TestEnvironment.OperatorToken);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);

        // A configuration token's name (vera, the viewer), and a name another operator issued.
        var asVera = (await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"vera","roles":["viewer"]}""")).Expect(HttpStatusCode.Conflict);
        // Nor a look-alike that differs only in letter case.
        Assert.Equal("name_taken", (await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"Vera","roles":["viewer"]}""")).Expect(HttpStatusCode.Conflict).ErrorCode);
        (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"release-bot","roles":["viewer"]}""")).Expect(HttpStatusCode.Created);
        var asTheBot = (await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"release-bot","roles":["viewer"]}""")).Expect(HttpStatusCode.Conflict);
        var rotated = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"release-bot","roles":["viewer","operator"]}""")).Expect(HttpStatusCode.Created);

        Assert.Equal(("name_taken", "name"), (asVera.ErrorCode, asVera.Json.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal("name_taken", asTheBot.ErrorCode);
        // The token itself may rotate too.
        using var bot = new AdminClient(gateway.Host, rotated.Json.GetProperty("token").GetString()!);
        (await bot.PostAsync("/admin/v1/admin-tokens", """{"name":"release-bot","roles":["viewer"]}""")).Expect(HttpStatusCode.Created);
        // The audit trail says what was issued, and to which name, never the secret.
        var id = rotated.Json.GetProperty("record").GetProperty("id").GetString();
        var entry = Assert.Single(await gateway.EntriesAsync(), e => e.Detail?.Contains(id!, StringComparison.Ordinal) == true);
        Assert.Equal($"issued {id} name=release-bot roles=operator,viewer", entry.Detail);
        Assert.DoesNotContain(rotated.Json.GetProperty("token").GetString()!, entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_pushed_through_a_token_one_issued_and_then_revoked_is_still_ones_own_on_every_instance()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        var issued = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"admin-writes-once","roles":["author"]}""")).Expect(HttpStatusCode.Created).Json;
        // As if issued before the store kept who issued what: the revocation enters it.
        var store = gateway.Host.GetRequiredService<LlmGateway.Store.GatewayStore>();
        Assert.True(await store.Database.KeyDeleteAsync($"{gateway.Prefix}:{{admin-token}}:issuers"));
        var name = Bundles.UniqueName("revoked-author");
        using (var ownAuthor = new AdminClient(gateway.Host, issued.GetProperty("token").GetString()!))
        {
            (await ownAuthor.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        }

        (await admin.DeleteAsync($"/admin/v1/admin-tokens/{issued.GetProperty("record").GetProperty("id").GetString()}")).Expect(HttpStatusCode.NoContent);
        // An instance that never saw the token: who issued it is read from the store.
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = gateway.Prefix;
        await using var other = await GatewayHost.StartAsync(settings);
        using var adminThere = new AdminClient(other, TestEnvironment.AdminToken);

        Assert.Equal("self_approval", (await admin.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve", "{}")).Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Equal("self_approval", (await adminThere.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve", "{}")).Expect(HttpStatusCode.Forbidden).ErrorCode);
        using var alan = new AdminClient(gateway.Host, TestEnvironment.ApproverToken);
        (await alan.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve", "{}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_name_whose_token_was_revoked_and_reissued_by_someone_else_is_not_its_past_issuers_to_take()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        using var olga = new AdminClient(gateway.Host, TestEnvironment.OperatorToken);
        var first = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"ci-bot","roles":["operator","viewer"]}""")).Expect(HttpStatusCode.Created).Json;
        using (var ciBot = new AdminClient(gateway.Host, first.GetProperty("token").GetString()!))
        {
            (await ciBot.PostAsync("/admin/v1/admin-tokens", """{"name":"deploy-bot","roles":["viewer"]}""")).Expect(HttpStatusCode.Created);
        }

        (await admin.DeleteAsync($"/admin/v1/admin-tokens/{first.GetProperty("record").GetProperty("id").GetString()}")).Expect(HttpStatusCode.NoContent);
        var second = (await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"ci-bot","roles":["operator","viewer"]}""")).Expect(HttpStatusCode.Created).Json;
        using var newCiBot = new AdminClient(gateway.Host, second.GetProperty("token").GetString()!);

        var again = await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"ci-bot","roles":["viewer"]}""");
        // Nor does the new holder of "ci-bot" become the issuer of what the old one issued.
        var below = await olga.PostAsync("/admin/v1/admin-tokens", """{"name":"deploy-bot","roles":["viewer"]}""");
        var belowThroughIt = await newCiBot.PostAsync("/admin/v1/admin-tokens", """{"name":"deploy-bot","roles":["viewer"]}""");

        Assert.Equal("name_taken", again.Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("name_taken", below.Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("name_taken", belowThroughIt.Expect(HttpStatusCode.Conflict).ErrorCode);
    }

    [Fact]
    public async Task A_token_one_issued_oneself_neither_approves_ones_version_nor_pushes_one_for_oneself_to_approve()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        var approverSecret = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"admin-approves","roles":["approver"]}""")).Expect(HttpStatusCode.Created).Json.GetProperty("token").GetString()!;
        var authorSecret = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"admin-writes","roles":["author"]}""")).Expect(HttpStatusCode.Created).Json.GetProperty("token").GetString()!;
        using var ownApprover = new AdminClient(gateway.Host, approverSecret);
        using var ownAuthor = new AdminClient(gateway.Host, authorSecret);
        using var alan = new AdminClient(gateway.Host, TestEnvironment.ApproverToken);
        var pushedByAdmin = Bundles.UniqueName("own-approval");
        var pushedByToken = Bundles.UniqueName("own-approval");
        (await admin.PushAsync(Bundles.Json(pushedByAdmin))).Expect(HttpStatusCode.Created);
        (await ownAuthor.PushAsync(Bundles.Json(pushedByToken))).Expect(HttpStatusCode.Created);

        var throughOwnToken = await ownApprover.PostAsync($"/admin/v1/prompts/{pushedByAdmin}/versions/1/approve", "{}");
        var ofOwnToken = await admin.PostAsync($"/admin/v1/prompts/{pushedByToken}/versions/1/approve", "{}");

        Assert.Equal("self_approval", throughOwnToken.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Equal("self_approval", ofOwnToken.Expect(HttpStatusCode.Forbidden).ErrorCode);
        // Someone else approves either.
        (await alan.PostAsync($"/admin/v1/prompts/{pushedByAdmin}/versions/1/approve", "{}")).Expect(HttpStatusCode.OK);
        (await alan.PostAsync($"/admin/v1/prompts/{pushedByToken}/versions/1/approve", "{}")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("rollout-controller")]
    [InlineData("Rollout-Controller")]
    [InlineData("redis")]
    public async Task No_token_is_issued_under_a_name_the_gateway_itself_acts_under(string name)
    {
        // The controller knows its own release changes by its name: an operator's change under it would pass for a step.
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);

        var issued = await admin.PostAsync("/admin/v1/admin-tokens", $$"""{"name":"{{name}}","roles":["operator"]}""");

        Assert.Equal(("invalid_request_error", "name"), (issued.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("type").GetString(), issued.Json.GetProperty("error").GetProperty("param").GetString()));
    }

    [Fact]
    public async Task A_long_chain_of_issued_tokens_still_acts_for_the_one_who_began_it()
    {
        // Each token issues the next: however long the chain, its last token approves for the administrator at its head.
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        var holder = admin;
        var prefix = "chain-" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 70; i++)
        {
            var secret = (await holder.PostAsync("/admin/v1/admin-tokens", $$"""{"name":"{{prefix}}-{{i}}","roles":["operator","approver"]}""")).Expect(HttpStatusCode.Created).Json.GetProperty("token").GetString()!;
            if (holder != admin)
            {
                holder.Dispose();
            }

            holder = new AdminClient(gateway.Host, secret);
        }

        using var last = holder;
        var name = Bundles.UniqueName("chain-approval");
        (await admin.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);

        Assert.Equal("self_approval", (await last.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve", "{}")).Expect(HttpStatusCode.Forbidden).ErrorCode);
    }

    [Fact]
    public async Task Two_people_whose_tokens_one_administrator_issued_may_approve_each_others_versions()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        var writer = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"wanda","roles":["author"]}""")).Expect(HttpStatusCode.Created).Json.GetProperty("token").GetString()!;
        var reviewer = (await admin.PostAsync("/admin/v1/admin-tokens", """{"name":"rex","roles":["approver"]}""")).Expect(HttpStatusCode.Created).Json.GetProperty("token").GetString()!;
        using var wanda = new AdminClient(gateway.Host, writer);
        using var rex = new AdminClient(gateway.Host, reviewer);
        var name = Bundles.UniqueName("peer-approval");
        (await wanda.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);

        (await rex.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve", "{}")).Expect(HttpStatusCode.OK);
    }
}
