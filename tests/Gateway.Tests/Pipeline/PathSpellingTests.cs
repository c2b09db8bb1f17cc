using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Pipeline;

/// <summary>
/// The OpenAI routes match without regard to case or a trailing slash. Every later stage reads the route's own path:
/// a prompt model is served, usage is asked for on a stream, and the provider is called on its proper path.
/// </summary>
public sealed class PathSpellingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/V1/Chat/Completions")]
    [InlineData("/v1/chat/completions/")]
    public async Task A_prompt_model_is_served_on_any_spelling_of_the_chat_path_and_the_provider_gets_the_proper_path(string path)
    {
        var name = Bundles.UniqueName("spelling");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        using var client = env.Gateway.CreateClient(await PromptSetup.KeyAsync(env.Gateway));
        var tag = OpenAiClients.NewTag();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);

        using var response = await client.SendAsync(request, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("1", response.Headers.GetValues("X-Prompt-Version").Single());
        Assert.Equal("/v1/chat/completions", Assert.Single(env.Received.ForTag(tag)).Path);
    }

    [Fact]
    public async Task A_stream_on_another_spelling_still_has_its_usage_asked_for_and_reported()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        var tag = OpenAiClients.NewTag();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/V1/CHAT/completions/")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("include_usage", Assert.Single(env.Received.ForTag(tag)).Body, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"reported\"", body, StringComparison.Ordinal);
    }
}
