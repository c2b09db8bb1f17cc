using System.Net;
using System.Text;
using LlmGateway.MockProvider;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Providers receive an allow-list of the client's headers (content type and length, accept, user agent,
/// <c>OpenAI-Beta</c>, and what the provider's configuration names) plus the provider's own key: never the client's
/// cookies, session, forwarding headers or the gateway's own headers.
/// </summary>
public sealed class SmugglingRequestHeaderTests(TestEnvironment env)
{
    private static readonly (string Name, string Value)[] Hostile =
    [
        ("Cookie", "session=client-secret-cookie"),
        ("X-Session-Id", "client-session"),
        ("X-Forwarded-For", "203.0.113.7"),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
        ("Forwarded", "for=203.0.113.7;host=evil.example"),
        ("X-Real-IP", "203.0.113.7"),
        ("X-Prompt-Version", "3"),
        ("X-Gateway-Sample", "force"),
        ("X-Custom-Client-Header", "client-internal"),
        ("OpenAI-Organization", "org-client"),
        ("OpenAI-Project", "proj-client"),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("gpt-4o-mini", "Authorization", "Bearer " + TestEnvironment.ProviderKey)]
    [InlineData("azure-gpt", "api-key", TestEnvironment.ProviderKey)]
    public async Task Only_allowed_headers_and_the_provider_key_reach_the_provider(string model, string credential, string expected)
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(env.Gateway, model, tag,
            [.. Hostile, ("Accept-Encoding", "gzip, br"), ("api-key", "client-provider-key"), ("User-Agent", "my-app/1.0"), ("Accept", "application/json"), ("OpenAI-Beta", "assistants=v2")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = env.Received.ForTag(tag).Single();
        foreach (var (name, _) in Hostile)
        {
            Assert.True(Header(received, name) is null, $"{name} reached the provider");
        }

        Assert.DoesNotContain(received.Headers, h => h.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(env.ApiKey, StringComparison.Ordinal) || h.Value.Contains("client-provider-key", StringComparison.Ordinal));
        Assert.Equal(expected, Header(received, credential));
        Assert.Equal("my-app/1.0", Header(received, "User-Agent"));
        Assert.Equal("application/json", Header(received, "Accept"));
        Assert.Equal("assistants=v2", Header(received, "OpenAI-Beta"));
        Assert.Equal("identity", Header(received, "Accept-Encoding"));
        Assert.StartsWith("application/json", Header(received, "Content-Type"), StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(received.Body).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(received, "Content-Length"));
    }

    [Fact]
    public async Task A_header_configured_for_a_provider_is_forwarded_to_it_and_no_other()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:ForwardRequestHeaders:1"] = "X-Tenant";
        settings["Gateway:Providers:mock:ForwardRequestHeaders:2"] = "X-Trace-*";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var toMock = OpenAiClients.NewTag();
        var toAzure = OpenAiClients.NewTag();
        (string, string)[] headers = [("X-Tenant", "acme"), ("X-Trace-Span", "s-1"), ("X-Other", "not configured"), ("Cookie", "c=1")];

        using var mock = await SendAsync(gateway, "gpt-4o-mini", toMock, headers);
        using var azure = await SendAsync(gateway, "azure-gpt", toAzure, headers);

        Assert.Equal(HttpStatusCode.OK, mock.StatusCode);
        Assert.Equal(HttpStatusCode.OK, azure.StatusCode);
        var received = env.Received.ForTag(toMock).Single();
        Assert.Equal("acme", Header(received, "X-Tenant"));
        Assert.Equal("s-1", Header(received, "X-Trace-Span"));
        Assert.Null(Header(received, "X-Other"));
        Assert.Null(Header(received, "Cookie"));
        var other = env.Received.ForTag(toAzure).Single();
        Assert.Null(Header(other, "X-Tenant"));
        Assert.Null(Header(other, "X-Trace-Span"));
    }

    [Theory]
    [InlineData("ForwardRequestHeaders", "Authorization")]
    [InlineData("ForwardRequestHeaders", "cookie")]
    [InlineData("ForwardRequestHeaders", "X-Forwarded-For")]
    [InlineData("ForwardRequestHeaders", "X-*")]
    [InlineData("ForwardRequestHeaders", "X-Gateway-Sample")]
    [InlineData("ForwardRequestHeaders", "accept-encoding")]
    // They pick which of the operators' organisations and projects OpenAI bills.
    [InlineData("ForwardRequestHeaders", "OpenAI-Organization")]
    [InlineData("ForwardRequestHeaders", "openai-project")]
    [InlineData("ForwardRequestHeaders", "OpenAI-*")]
    [InlineData("ForwardRequestHeaders", "bad header")]
    [InlineData("ReturnResponseHeaders", "X-Gateway-Cost-USD")]
    [InlineData("ReturnResponseHeaders", "Transfer-Encoding")]
    [InlineData("ReturnResponseHeaders", "*")]
    public async Task A_header_that_must_never_cross_cannot_be_configured(string setting, string entry)
    {
        // The test gateways forward the mock's knobs (ForwardRequestHeaders:0): the entry under test comes after.
        var index = setting == "ForwardRequestHeaders" ? 1 : 0;
        var settings = env.GatewaySettings();
        settings[$"Gateway:Providers:mock:{setting}:{index}"] = entry;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains($"Gateway:Providers:mock:{setting}:{index} '{entry}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OpenAI-Organization")]
    [InlineData("OpenAI-Project")]
    public void The_billing_account_headers_are_blocked_even_under_a_prefix_that_covers_them(string name)
    {
        // The configuration check refuses such a prefix; the list itself blocks the names too.
        var allowList = LlmGateway.Providers.HeaderAllowList.ForRequests(["OpenAI-*"]);

        Assert.False(allowList.Allows(name));
        Assert.True(allowList.Allows("OpenAI-Beta"));
    }

    private async Task<HttpResponseMessage> SendAsync(GatewayHost gateway, string model, string tag, (string Name, string Value)[] headers)
    {
        using var client = gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await client.SendAsync(request, Ct);
    }

    private static string? Header(ReceivedRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : null;
}
