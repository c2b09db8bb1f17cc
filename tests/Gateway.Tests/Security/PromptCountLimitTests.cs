using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// No API deletes a prompt, and every instance reads each prompt's releases twice a second: the registry holds at most
/// Gateway:Prompts:MaxPrompts names, so an author's loop over new names cannot grow that work without end.
/// </summary>
public sealed class PromptCountLimitTests(TestEnvironment env)
{
    [Fact]
    public async Task A_new_prompt_name_past_the_limit_is_refused_409_while_existing_prompts_still_take_new_versions()
    {
        await using var gateway = await AuditGateway.StartAsync(env, new Dictionary<string, string?> { ["Gateway:Prompts:MaxPrompts"] = "2" });
        using var author = new AdminClient(gateway.Host, TestEnvironment.AuthorToken);
        var first = Bundles.UniqueName("cap");
        (await author.PushAsync(Bundles.Json(first))).Expect(HttpStatusCode.Created);
        (await author.PushAsync(Bundles.Json(Bundles.UniqueName("cap")))).Expect(HttpStatusCode.Created);

        var third = Bundles.UniqueName("cap");
        var refused = (await author.PushAsync(Bundles.Json(third))).Expect(HttpStatusCode.Conflict);

        Assert.Equal("too_many_prompts", refused.ErrorCode);
        Assert.Equal("name", refused.Json.GetProperty("error").GetProperty("param").GetString());
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        Assert.Equal("prompt_not_found", (await admin.GetAsync($"/admin/v1/prompts/{third}")).Expect(HttpStatusCode.NotFound).ErrorCode);
        (await author.PushAsync(Bundles.Json(first, system: "You are {{ company }} support. Be brief."))).Expect(HttpStatusCode.Created);
    }
}
