using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: a template that passes the push checks can still blow up at render time (nested loops over a declared
/// maximum, a string doubled by filters or captures, a long variable repeated). Through a real gateway on loopback,
/// each is cut by Gateway:Templates (steps, 256 K characters of output, every filter's and capture's result) and
/// answered 500 <c>template_error</c> in the OpenAI shape, quickly, with nothing forwarded to the provider.
/// </summary>
public sealed class TemplateRenderLimitTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, string> BlowUps => new()
    {
        {
            "nested loops over a declared maximum: 10^8 iterations, cut by the step limit",
            "{% for i in (1..n) %}{% for j in (1..n) %}x{% endfor %}{% endfor %}",
            """{"name":"n","required":true,"maximum":10000}""",
            """{"n":10000,"text":"x"}"""
        },
        {
            "a 10 KB variable written 50 times: 500 K characters, cut by the output limit",
            "{% for i in (1..50) %}{{ text }}{% endfor %}",
            """{"name":"n","required":false}""",
            $$"""{"text":"{{new string('y', 10_000)}}"}"""
        },
        {
            "a string doubled by append 24 times (16 M characters) while printing only its size",
            "{% assign s = text %}{% for i in (1..24) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
            """{"name":"n","required":false}""",
            """{"text":"x"}"""
        },
        {
            "a capture that doubles itself 24 times while printing only its size",
            "{% capture s %}{{ text }}{% endcapture %}{% for i in (1..24) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}",
            """{"name":"n","required":false}""",
            """{"text":"x"}"""
        },
        {
            "a 10 000-value range rebuilt on each of 10 000 passes (10^8 values built, 10^4 steps): cut by the values ranges build",
            "{% for i in (1..10000) %}{% for j in (1..10000) limit: 1 %}{% endfor %}{% endfor %}",
            """{"name":"n","required":false}""",
            """{"text":"x"}"""
        },
        {
            "one replace that multiplies a 1 000-character string by 1 000",
            "{% assign big = text | replace: 'x', text %}{{ big | size }}",
            """{"name":"n","required":false}""",
            $$"""{"text":"{{new string('x', 1_000)}}"}"""
        },
    };

    [Theory]
    [MemberData(nameof(BlowUps))]
    public async Task A_render_time_blow_up_is_cut_and_answered_500_template_error_without_reaching_the_provider(string because, string template, string variable, string variables)
    {
        var name = Bundles.UniqueName("blow-up");
        var bundle = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = name,
            ["model"] = "gpt-4o-mini",
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "system", ["content"] = template } },
            ["variables"] = new[] { JsonDocument.Parse(variable).RootElement, JsonDocument.Parse("""{"name":"text","required":false}""").RootElement },
        });
        await PromptSetup.ReleaseAsync(env.Gateway, name, [bundle]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        var tag = OpenAiClients.NewTag();

        using var response = await ChatAsync(key, name, variables, tag);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.InternalServerError, "template_error");
        Assert.True(error.GetProperty("message").GetString()!.Contains("template limits", StringComparison.Ordinal), because);
        // Stopped by a limit (the error says which), so nothing was sent upstream.
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task A_value_above_the_declared_maximum_is_refused_with_400_before_any_render()
    {
        var name = Bundles.UniqueName("over-max");
        var bundle = TemplatePushBoundsTests.BundleJson(name, "{% for i in (1..n) %}x{% endfor %}", """{"name":"n","required":true,"maximum":100}""");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [bundle]);
        var key = await PromptSetup.KeyAsync(env.Gateway);

        foreach (var value in new[] { "101", "-5", "2.5", "\"50\"", "99999999999999999999" })
        {
            using var refused = await ChatAsync(key, name, $$"""{"n":{{value}}}""", OpenAiClients.NewTag());
            var error = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_variable");
            Assert.Equal("prompt_variables.n", error.GetProperty("param").GetString());
        }

        using var served = await ChatAsync(key, name, """{"n":100}""", OpenAiClients.NewTag());
        var text = await served.Content.ReadAsStringAsync(Ct);
        Assert.True(served.StatusCode == HttpStatusCode.OK, text);
        Assert.Contains(new string('x', 100), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variables_longer_than_any_render_may_be_are_the_clients_400_not_a_template_error()
    {
        var tag = OpenAiClients.NewTag();

        using var refused = await SendTextOverTheCapAsync("long-variable", "Answer about {{ text }}.", tag);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadRequest, "prompt_variables_too_long");
        Assert.Equal("prompt_variables", error.GetProperty("param").GetString());
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task A_long_variable_the_template_cuts_short_still_renders()
    {
        using var served = await SendTextOverTheCapAsync("cut-variable", "Answer about {{ text | strip | downcase | truncate: 20 }}.", OpenAiClients.NewTag());

        Assert.True(served.StatusCode == HttpStatusCode.OK, await served.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_long_variable_split_into_an_array_is_still_cut_at_the_cap()
    {
        // A string a filter only passes on is not cut, an array always is: split: "" makes an object per character.
        var tag = OpenAiClients.NewTag();

        using var refused = await SendTextOverTheCapAsync("split-variable", "Letters: {{ text | split: \"\" | size }}.", tag);

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadRequest, "prompt_variables_too_long");
        Assert.Empty(env.Received.ForTag(tag));
    }

    /// <summary>A prompt whose template reads an optional <c>text</c>, released and called with a text one character over the output cap.</summary>
    private async Task<HttpResponseMessage> SendTextOverTheCapAsync(string prefix, string template, string tag)
    {
        var name = Bundles.UniqueName(prefix);
        await PromptSetup.ReleaseAsync(env.Gateway, name, [TemplatePushBoundsTests.BundleJson(name, template, """{"name":"text","required":false}""")]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        var limit = LlmGateway.Rewriting.TemplateLimits.Default.MaxOutputChars;
        return await ChatAsync(key, name, $$"""{"text":"{{new string('z', limit + 1)}}"}""", tag);
    }

    private async Task<HttpResponseMessage> ChatAsync(string key, string name, string variables, string tag)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"prompt:{{name}}","prompt_variables":{{variables}},"messages":[{"role":"user","content":"hi"}]}""",
                Encoding.UTF8,
                new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("x-mock-tag", tag);
        return await client.SendAsync(request, Ct);
    }
}
