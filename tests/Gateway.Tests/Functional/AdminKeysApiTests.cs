using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace LlmGateway.Tests.Functional;

public sealed class AdminKeysApiTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_issued_key_works_until_it_is_revoked()
    {
        using var admin = env.Gateway.CreateClient(TestEnvironment.AdminToken);

        using var created = await admin.PostAsync("/admin/v1/keys", Json("""{"app":"checkout","environment":"staging","permissions":["pin"]}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct));
        var secret = body.RootElement.GetProperty("key").GetString()!;
        var id = body.RootElement.GetProperty("record").GetProperty("id").GetString()!;
        Assert.Equal("staging", body.RootElement.GetProperty("record").GetProperty("environment").GetString());

        var chat = OpenAiClients.For(env.Gateway, secret).GetChatClient("gpt-4o-mini");
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("issued")], cancellationToken: Ct);
        Assert.Contains("user=issued", completion.Content[0].Text, StringComparison.Ordinal);

        var listed = await admin.GetStringAsync("/admin/v1/keys", Ct);
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);

        using var revoked = await admin.DeleteAsync($"/admin/v1/keys/{id}", Ct);
        using var again = await admin.DeleteAsync($"/admin/v1/keys/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await ErrorAssertions.AssertOpenAiErrorAsync(again, HttpStatusCode.NotFound, "key_not_found");
    }

    [Theory]
    [InlineData("{", "body")]
    [InlineData("""{"environment":"prod"}""", "app")]
    [InlineData("""{"app":"a b","environment":"prod"}""", "app")]
    [InlineData("""{"app":"a","environment":""}""", "environment")]
    [InlineData("""{"app":"a","environment":"production","permissions":["root"]}""", "permissions")]
    [InlineData("""{"app":"a","environment":"prod"}""", "environment")]
    [InlineData("""{"app":"a","environment":"Production"}""", "environment")]
    // A misspelt or empty budget would issue a key without one: refused, naming the field.
    [InlineData("""{"app":"billing","environment":"production","limits":{"daily_usd":5}}""", "limits.daily_usd")]
    [InlineData("""{"app":"billing","environment":"production","Limits":{"daily_spend_usd":5}}""", "Limits")]
    [InlineData("""{"app":"billing","environment":"production","limit":{"daily_spend_usd":5}}""", "limit")]
    [InlineData("""{"app":"billing","environment":"production","limits":{}}""", "limits")]
    public async Task Bad_key_requests_are_400_naming_the_field(string json, string param)
    {
        using var admin = env.Gateway.CreateClient(TestEnvironment.AdminToken);

        using var response = await admin.PostAsync("/admin/v1/keys", Json(json), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("wrong-token", "invalid_api_key")]
    public async Task The_admin_api_requires_the_admin_token(string? token, string code)
    {
        using var client = env.Gateway.CreateClient(token);

        using var response = await client.GetAsync("/admin/v1/keys", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, code);
    }

    [Fact]
    public async Task A_gateway_key_is_not_an_admin_token()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var response = await client.GetAsync("/admin/v1/keys", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Without_a_configured_token_the_admin_api_is_disabled()
    {
        var settings = env.GatewaySettings();
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Gateway:Admin:Tokens:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient("anything");

        using var response = await client.GetAsync("/admin/v1/keys", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Forbidden, "admin_disabled");
    }

    [Fact]
    public async Task The_admin_api_is_described_by_openapi()
    {
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/admin.json", Ct));

        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/admin/v1/keys", out _));
        Assert.True(paths.TryGetProperty("/admin/v1/keys/{id}", out _));
    }

    [Fact]
    public async Task A_browsable_reference_is_served()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = true }) { BaseAddress = env.Gateway.BaseUrl };

        var page = await client.GetStringAsync("/admin/docs/", Ct);

        // Scalar resolves the source against the app root: /openapi/admin.json.
        Assert.Contains("\"url\":\"openapi/admin.json\"", page, StringComparison.Ordinal);
        Assert.Contains("LLM Gateway admin API", page, StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
