using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Resilience;

/// <summary>Which prompt requests may be served by another model when theirs cannot.</summary>
public sealed class FallbackPolicyTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_prompt_falls_back_unless_its_bundle_forbids_it_or_the_version_is_pinned()
    {
        var name = "fallback-" + Guid.NewGuid().ToString("N")[..8];
        var allows = $$"""{"name":"{{name}}","model":"fallback-model","messages":[{"role":"system","content":"v1"}]}""";
        var forbids = $$"""{"name":"{{name}}","model":"fallback-model","model_fallback":false,"messages":[{"role":"system","content":"v2"}]}""";
        await PromptSetup.ReleaseAsync(env.Gateway, name, [allows, forbids]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");

        using var released = await SendAsync(key, name);
        using var pinned = await SendAsync(key, name, ("X-Prompt-Version", "1"));
        using var forbidden = await SendAsync(key, name, ("X-Prompt-Version", "2"));

        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal("gpt-4o-mini", released.Headers.GetValues("X-Gateway-Served-Model").Single());
        await ErrorAssertions.AssertOpenAiErrorAsync(pinned, HttpStatusCode.BadGateway, "upstream_unavailable");
        await ErrorAssertions.AssertOpenAiErrorAsync(forbidden, HttpStatusCode.BadGateway, "upstream_unavailable");
        Assert.Equal("fallback-model", forbidden.Headers.GetValues("X-Gateway-Served-Model").Single());
    }

    [Fact]
    public async Task A_key_with_a_spend_limit_is_never_served_by_a_fallback_without_a_price()
    {
        // Its reservation priced the primary only, and its spend on an unpriced model could not be counted; a key
        // without limits falls back as before.
        var settings = env.GatewaySettings();
        settings["Gateway:Models:priced-primary:Provider"] = "dead";
        settings["Gateway:Models:priced-primary:UpstreamModel"] = "gpt-4o-mini";
        settings["Gateway:Models:priced-primary:Fallbacks:0"] = "unpriced-fallback";
        settings["Gateway:Models:unpriced-fallback:Provider"] = "mock";
        settings["Gateway:Models:unpriced-fallback:UpstreamModel"] = "house-unpriced";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var (_, limited) = await keys.CreateAsync("spend-limited", "test", [], new KeyLimits(10m, null, null));
        var (_, open) = await keys.CreateAsync("no-limits", "test", []);
        var limitedTag = OpenAiClients.NewTag();
        var openTag = OpenAiClients.NewTag();

        using var refused = await ChatAsync(gateway, limited, limitedTag);
        using var served = await ChatAsync(gateway, open, openTag);

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadGateway, "upstream_unavailable");
        Assert.Empty(env.Received.ForTag(limitedTag));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("unpriced-fallback", served.Headers.GetValues("X-Gateway-Served-Model").Single());
        Assert.Single(env.Received.ForTag(openTag));
    }

    private static async Task<HttpResponseMessage> ChatAsync(GatewayHost gateway, string key, string tag)
    {
        using var client = gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"priced-primary","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        return await client.SendAsync(request, Ct);
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string prompt, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"prompt:{{prompt}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
