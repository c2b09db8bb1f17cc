using System.Net;
using System.Text;
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
