using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace LlmGateway.Tests.Functional;

/// <summary><c>prompt:&lt;name&gt;</c> end to end: the OpenAI SDK in, the mock provider showing what was forwarded.</summary>
public sealed class PromptServingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sdk_calls_a_prompt_and_the_provider_receives_the_rendered_bundle()
    {
        var name = Bundles.UniqueName("sdk");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1, ",\"retrieval\":{\"corpus\":\"kb\",\"top_k\":3}")]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, key, ("x-mock-tag", tag)).GetChatClient("prompt:" + name);
        var options = new ChatCompletionOptions { Temperature = 1.7f };
#pragma warning disable SCME0001 // JsonPatch is how the SDK sends extra body fields such as prompt_variables.
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");
#pragma warning restore SCME0001

        ClientResult<ChatCompletion> result = await chat.CompleteChatAsync([new UserChatMessage("Where is my order?")], options, Ct);

        Assert.Equal($"mock reply to model=gpt-4o-mini system=v1 for Acme user=Where is my order?", result.Value.Content[0].Text);
        var headers = result.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("X-Prompt-Name", out var promptName) && promptName == name);
        Assert.True(headers.TryGetValue("X-Prompt-Version", out var version) && version == "1");
        Assert.True(headers.TryGetValue("X-Prompt-Variant", out var variant) && variant == "stable");

        using var forwarded = JsonDocument.Parse(env.Received.ForTag(tag).Single().Body);
        var root = forwarded.RootElement;
        Assert.Equal("gpt-4o-mini", root.GetProperty("model").GetString());
        Assert.Equal(0.25, root.GetProperty("temperature").GetDouble());
        Assert.False(root.TryGetProperty("prompt_variables", out _));
        Assert.Equal("system", root.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_streamed_prompt_request_streams()
    {
        var name = Bundles.UniqueName("stream");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        var chat = OpenAiClients.For(env.Gateway, key, ("x-mock-chunks", "5")).GetChatClient("prompt:" + name);
        var options = new ChatCompletionOptions();
#pragma warning disable SCME0001
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");
#pragma warning restore SCME0001

        var text = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream")], options, Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("mock reply to model=gpt-4o-mini system=v1 for Acme user=stream", text.ToString());
    }

    [Fact]
    public async Task A_session_keeps_its_arm_and_the_split_follows_the_weight()
    {
        var name = Bundles.UniqueName("sticky");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)], canaryVersion: 2, canaryWeight: 5000);
        var key = await PromptSetup.KeyAsync(env.Gateway);

        var firstArms = new Dictionary<string, string>();
        for (var session = 0; session < 60; session++)
        {
            firstArms[$"s{session}"] = await VariantAsync(name, key, $"s{session}");
        }

        var again = new Dictionary<string, string>();
        foreach (var session in firstArms.Keys)
        {
            again[session] = await VariantAsync(name, key, session);
        }

        Assert.Equal(firstArms, again);
        Assert.InRange(firstArms.Values.Count(v => v == "canary"), 10, 50);
        Assert.Contains("stable", firstArms.Values);
    }

    [Fact]
    public async Task A_key_with_the_pin_permission_gets_the_exact_version()
    {
        var name = Bundles.UniqueName("pin");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");

        using var response = await SendAsync(key, Chat(name), ("X-Prompt-Version", "2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("X-Prompt-Version").Single());
        Assert.Equal("pinned", response.Headers.GetValues("X-Prompt-Variant").Single());
        Assert.Contains("system=v2 for Acme", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_returns_the_bundle_this_caller_would_get_with_its_retrieval_block()
    {
        var name = Bundles.UniqueName("resolve");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1, ",\"retrieval\":{\"corpus\":\"kb\",\"snapshot\":\"s-7\",\"top_k\":3}"), PromptSetup.Bundle(name, 2)], canaryVersion: 2, canaryWeight: 5000);
        var key = await PromptSetup.KeyAsync(env.Gateway, GatewayKeyPermissions.Resolve);
        using var client = env.Gateway.CreateClient(key);

        var viaChat = new Dictionary<string, string>();
        var viaResolve = new Dictionary<string, string>();
        for (var i = 0; i < 12; i++)
        {
            viaChat[$"r{i}"] = await VariantAsync(name, key, $"r{i}");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/prompts/{name}/resolve");
            request.Headers.Add("X-Session-Id", $"r{i}");
            using var response = await client.SendAsync(request, Ct);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            viaResolve[$"r{i}"] = json.RootElement.GetProperty("variant").GetString()!;
            if (json.RootElement.GetProperty("version").GetInt32() == 1)
            {
                Assert.Equal("s-7", json.RootElement.GetProperty("bundle").GetProperty("retrieval").GetProperty("snapshot").GetString());
                Assert.Equal("v1 for {{ company }}", json.RootElement.GetProperty("bundle").GetProperty("messages")[0].GetProperty("content").GetString());
            }
        }

        Assert.Equal(viaChat, viaResolve);
    }

    public static TheoryData<string, string, string?, int, string> BadInput => new()
    {
        { "unknown prompt", """{"model":"prompt:no-such-prompt","messages":[]}""", null, 404, "prompt_not_found" },
        { "no release here", """{"model":"prompt:{released-elsewhere}","prompt_variables":{"company":"A"},"messages":[]}""", null, 404, "release_not_found" },
        { "missing variable", """{"model":"prompt:{name}","messages":[]}""", null, 400, "missing_variable" },
        { "variables not an object", """{"model":"prompt:{name}","prompt_variables":[1],"messages":[]}""", null, 400, "invalid_prompt_variables" },
        { "non-scalar variable", """{"model":"prompt:{name}","prompt_variables":{"company":{"a":1}},"messages":[]}""", null, 400, "invalid_variable" },
        { "pin not permitted", """{"model":"prompt:{name}","prompt_variables":{"company":"A"},"messages":[]}""", "1", 403, "pin_not_permitted" },
        { "template error", """{"model":"prompt:{broken}","prompt_variables":{"n":1},"messages":[]}""", null, 500, "template_error" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_prompt_requests_get_openai_errors_and_reach_no_provider(string because, string body, string? pin, int status, string code)
    {
        var name = Bundles.UniqueName("bad");
        var broken = Bundles.UniqueName("broken");
        var elsewhere = Bundles.UniqueName("elsewhere");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        // Dividing by zero passes validation and fails only when rendered.
        await PromptSetup.ReleaseAsync(env.Gateway, broken, [$$$"""{"name":"{{{broken}}}","model":"gpt-4o-mini","messages":[{"role":"system","content":"{{ n | divided_by: 0 }}"}],"variables":[{"name":"n"}]}"""]);
        using (var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken))
        {
            (await author.PushAsync(PromptSetup.Bundle(elsewhere, 1))).Expect(HttpStatusCode.Created);
        }

        var key = await PromptSetup.KeyAsync(env.Gateway);
        var tag = OpenAiClients.NewTag();
        var resolved = body.Replace("{name}", name, StringComparison.Ordinal).Replace("{broken}", broken, StringComparison.Ordinal).Replace("{released-elsewhere}", elsewhere, StringComparison.Ordinal);

        // The snapshot learns of the unreleased prompt from the push's notification.
        if (code == "release_not_found")
        {
            await Eventually.ResultAsync(() => SendAsync(key, resolved), r => r.StatusCode == HttpStatusCode.NotFound && r.Content.ReadAsStringAsync().Result.Contains(code, StringComparison.Ordinal), TimeSpan.FromSeconds(2));
        }

        using var response = pin is null ? await SendAsync(key, resolved, ("x-mock-tag", tag)) : await SendAsync(key, resolved, ("x-mock-tag", tag), ("X-Prompt-Version", pin));

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, (HttpStatusCode)status, code);
        Assert.DoesNotContain("divided_by", error.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(env.Received.ForTag(tag));
        Assert.False(string.IsNullOrEmpty(because));
    }

    [Fact]
    public async Task A_pin_to_an_unknown_version_is_404_and_prompts_are_chat_only()
    {
        var name = Bundles.UniqueName("pin404");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");

        using var unknownVersion = await SendAsync(key, Chat(name), ("X-Prompt-Version", "9"));
        using var embeddings = await SendAsync(key, $$"""{"model":"prompt:{{name}}","input":"x"}""", path: "/v1/embeddings");

        await ErrorAssertions.AssertOpenAiErrorAsync(unknownVersion, HttpStatusCode.NotFound, "version_not_found");
        await ErrorAssertions.AssertOpenAiErrorAsync(embeddings, HttpStatusCode.BadRequest, "unsupported_endpoint");
    }

    private static string Chat(string name) => $$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"hi"}]}""";

    private async Task<string> VariantAsync(string name, string key, string session)
    {
        using var response = await SendAsync(key, Chat(name), ("X-Session-Id", session));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Prompt-Variant").Single();
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string body, params (string Name, string Value)[] headers) =>
        await SendAsync(key, body, "/v1/chat/completions", headers);

    private async Task<HttpResponseMessage> SendAsync(string key, string body, string path, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        foreach (var (headerName, value) in headers)
        {
            request.Headers.Add(headerName, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
