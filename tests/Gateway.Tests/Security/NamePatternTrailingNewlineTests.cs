using System.Net;
using System.Text.Json;
using LlmGateway.Prompts;
using LlmGateway.Sampling.Redaction;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: names are matched with <c>\z</c>, not <c>$</c>, which also matches before a final newline, so
/// "support-bot\n" passed as a prompt name and became a second, invisible prompt. Every name pattern refuses it.
/// </summary>
public sealed class NamePatternTrailingNewlineTests(TestEnvironment env)
{
    [Fact]
    public async Task A_prompt_name_with_a_trailing_newline_is_refused_at_push_and_nothing_is_stored()
    {
        var name = Bundles.UniqueName("newline");
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);

        var response = await author.PushAsync(Bundles.Json(name + "\n"));

        var error = response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Contains(error.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "name");
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/admin/v1/prompts/{Uri.EscapeDataString(name + "\n")}")).Status);
    }

    [Fact]
    public async Task A_variable_name_with_a_trailing_newline_is_refused_at_push()
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        var bundle = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = Bundles.UniqueName("var-newline"),
            ["model"] = "gpt-4o-mini",
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "system", ["content"] = "hello" } },
            ["variables"] = new[] { new Dictionary<string, object> { ["name"] = "company\n", ["required"] = false } },
        });

        var error = (await author.PushAsync(bundle)).Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");

        Assert.Contains(error.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "variables[0].name");
    }

    [Fact]
    public async Task A_gateway_key_app_or_environment_with_a_trailing_newline_is_refused()
    {
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var app = await operatorClient.PostAsync("/admin/v1/keys", """{"app":"billing\n","environment":"staging","permissions":[]}""");
        var environment = await operatorClient.PostAsync("/admin/v1/keys", """{"app":"billing","environment":"staging\n","permissions":[]}""");

        Assert.Equal("app", app.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("environment", environment.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("support-bot")]
    [InlineData("a")]
    public void Names_without_a_newline_still_match_and_with_one_do_not(string name)
    {
        Assert.True(PromptNames.IsValid(name));
        Assert.False(PromptNames.IsValid(name + "\n"));
        Assert.Matches(RedactionPatterns.KindName, name);
        Assert.DoesNotMatch(RedactionPatterns.KindName, name + "\n");
    }

    [Fact]
    public void A_store_size_with_a_trailing_newline_does_not_parse()
    {
        Assert.Equal(64L * 1024 * 1024, EmbeddedStoreOptions.ParseSize("64m"));
        Assert.Null(EmbeddedStoreOptions.ParseSize("64m\n"));
    }
}
