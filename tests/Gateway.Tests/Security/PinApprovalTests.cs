using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: in a protected environment (production, by default) an <c>X-Prompt-Version</c> pin serves only
/// approved versions, so a key allowed to pin cannot put a draft in front of production traffic. A non-protected
/// environment (staging), where evaluation runs pin their drafts, still serves any version. Real gateway, real store.
/// </summary>
public sealed class PinApprovalTests(TestEnvironment env)
{
    private const string Protected = "production";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_draft_pinned_in_a_protected_environment_is_403_version_not_approved_until_it_is_approved()
    {
        var name = Bundles.UniqueName("pin-draft");
        await PushAsync(name, versions: 1);
        var productionKey = await KeyAsync(Protected, GatewayKeyPermissions.Pin);

        using var draft = await ChatAsync(productionKey, name, pin: "1");
        var error = await ErrorAssertions.AssertOpenAiErrorAsync(draft, HttpStatusCode.Forbidden, "version_not_approved");
        Assert.Equal("permission_error", error.GetProperty("type").GetString());
        Assert.Equal("X-Prompt-Version", error.GetProperty("param").GetString());
        Assert.Contains("not approved", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("v1 for", await draft.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using (var approver = new AdminClient(env.Gateway, TestEnvironment.ApproverToken))
        {
            (await approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve", """{"reason":"reviewed"}""")).Expect(HttpStatusCode.OK);
        }

        // The approval is read from the store on the next request: no wait, no cache to expire.
        using var approved = await ChatAsync(productionKey, name, pin: "1");
        var text = await approved.Content.ReadAsStringAsync(Ct);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("pinned", approved.Headers.GetValues("X-Prompt-Variant").Single());
        Assert.Contains("system=v1 for Acme", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_draft_pinned_in_a_protected_environment_is_refused_before_it_is_read_or_prepared()
    {
        // A pin key cycling through drafts must not have each parsed and cached (pushing approved ones out) before its 403.
        var name = Bundles.UniqueName("pin-unprepared");
        await PushAsync(name, versions: 3);
        var productionKey = await KeyAsync(Protected, GatewayKeyPermissions.Pin);
        var cache = env.Gateway.GetRequiredService<LlmGateway.Rewriting.PreparedBundleCache>();

        for (var version = 1; version <= 3; version++)
        {
            using var draft = await ChatAsync(productionKey, name, pin: version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await ErrorAssertions.AssertOpenAiErrorAsync(draft, HttpStatusCode.Forbidden, "version_not_approved");
            Assert.False(cache.Holds(name, version));
        }
    }

    [Fact]
    public async Task The_same_draft_pin_is_served_in_a_non_protected_environment_and_refused_in_the_protected_one()
    {
        var name = Bundles.UniqueName("pin-env");
        await PushAsync(name, versions: 2);
        var stagingKey = await KeyAsync(PromptSetup.Environment, GatewayKeyPermissions.Pin);
        var productionKey = await KeyAsync(Protected, GatewayKeyPermissions.Pin);

        using var staging = await ChatAsync(stagingKey, name, pin: "2");
        using var production = await ChatAsync(productionKey, name, pin: "2");

        var text = await staging.Content.ReadAsStringAsync(Ct);
        Assert.True(staging.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("2", staging.Headers.GetValues("X-Prompt-Version").Single());
        Assert.Contains("system=v2 for Acme", text, StringComparison.Ordinal);
        await ErrorAssertions.AssertOpenAiErrorAsync(production, HttpStatusCode.Forbidden, "version_not_approved");
    }

    [Fact]
    public async Task Resolve_with_a_draft_pin_in_a_protected_environment_is_refused_too()
    {
        var name = Bundles.UniqueName("pin-resolve");
        await PushAsync(name, versions: 1);
        var productionKey = await KeyAsync(Protected, GatewayKeyPermissions.Pin, GatewayKeyPermissions.Resolve);
        var stagingKey = await KeyAsync(PromptSetup.Environment, GatewayKeyPermissions.Pin, GatewayKeyPermissions.Resolve);

        using var production = await ResolveAsync(productionKey, name, pin: "1");
        using var staging = await ResolveAsync(stagingKey, name, pin: "1");

        await ErrorAssertions.AssertOpenAiErrorAsync(production, HttpStatusCode.Forbidden, "version_not_approved");
        Assert.DoesNotContain("for {{ company }}", await production.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, staging.StatusCode);
        Assert.Contains("v1 for {{ company }}", await staging.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task PushAsync(string name, int versions)
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        for (var version = 1; version <= versions; version++)
        {
            (await author.PushAsync(PromptSetup.Bundle(name, version))).Expect(HttpStatusCode.Created);
        }
    }

    private async Task<string> KeyAsync(string environment, params string[] permissions)
    {
        var (_, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("pin-approval-tests", environment, permissions);
        return secret;
    }

    private async Task<HttpResponseMessage> ChatAsync(string key, string name, string pin)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"hi"}]}""",
                Encoding.UTF8,
                new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Prompt-Version", pin);
        return await client.SendAsync(request, Ct);
    }

    private async Task<HttpResponseMessage> ResolveAsync(string key, string name, string pin)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/prompts/{name}/resolve");
        request.Headers.Add("X-Prompt-Version", pin);
        return await client.SendAsync(request, Ct);
    }
}
