using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// One bundle serving both kinds of request through the real gateway: single-turn (no user turn from the client, the
/// variables fill every template) and multi-turn (the client's conversation follows the bundle's system message, and
/// the variables only the user template reads are not required). The mock shows exactly what was forwarded.
/// </summary>
public sealed class MultiTurnPromptTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The system message reads <c>company</c>; the user template reads <c>order</c> and <c>question</c>.</summary>
    public static string Bundle(string name) => $$"""
        {"name":"{{name}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"You are {{ "{{ company }}" }} support."},{"role":"user","content":"Order {{ "{{ order }}" }}: {{ "{{ question }}" }}"}],
         "variables":[{"name":"company","required":true},{"name":"order","required":true},{"name":"question","required":true}]}
        """;

    [Fact]
    public async Task A_single_turn_request_renders_every_template_and_a_conversation_gets_only_the_system_message()
    {
        var name = Bundles.UniqueName("turns");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Bundle(name)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);

        var (single, singleSent) = await CallAsync(key, $$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme","order":"A-42","question":"Where is it?"},"messages":[]}""");
        var (multi, multiSent) = await CallAsync(key, $$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Refund?"}]}""");

        Assert.Equal(HttpStatusCode.OK, single.Status);
        Assert.Equal("mock reply to model=gpt-4o-mini system=You are Acme support. user=Order A-42: Where is it?", single.Reply);
        Assert.Equal(["system:You are Acme support.", "user:Order A-42: Where is it?"], singleSent);

        Assert.Equal(HttpStatusCode.OK, multi.Status);
        Assert.Equal("mock reply to model=gpt-4o-mini system=You are Acme support. user=Refund?", multi.Reply);
        Assert.Equal(["system:You are Acme support.", "user:Hi", "assistant:Hello!", "user:Refund?"], multiSent);
    }

    [Theory]
    [InlineData("""{"company":"Acme","question":"Where?"}""", "[]", "prompt_variables.order")]
    [InlineData("""{"order":"A-42"}""", """[{"role":"user","content":"Hi"}]""", "prompt_variables.company")]
    public async Task A_variable_a_rendered_template_needs_is_still_required_and_nothing_is_forwarded(string variables, string messages, string param)
    {
        var name = Bundles.UniqueName("turns");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [Bundle(name)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(key, $$"""{"model":"prompt:{{name}}","prompt_variables":{{variables}},"messages":{{messages}}}""", tag);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "missing_variable");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Empty(env.Received.ForTag(tag));
    }

    private async Task<((HttpStatusCode Status, string Reply) Answer, string[] Forwarded)> CallAsync(string key, string body)
    {
        var tag = OpenAiClients.NewTag();
        using var response = await SendAsync(key, body, tag);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        using var answer = JsonDocument.Parse(text);
        var reply = answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

        using var forwarded = JsonDocument.Parse(env.Received.ForTag(tag).Single().Body);
        var messages = forwarded.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => $"{m.GetProperty("role").GetString()}:{m.GetProperty("content").GetString()}")
            .ToArray();
        return ((response.StatusCode, reply), messages);
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string body, string tag)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Add("x-mock-tag", tag);
        return await client.SendAsync(request, Ct);
    }
}
