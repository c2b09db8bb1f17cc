using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Clients receive an allow-list of the provider's headers (what describes the body, and <c>Retry-After</c>), the
/// provider's request id as <c>X-Upstream-Request-Id</c>, and the gateway's own headers: never the provider's
/// cookies, account, organisation or rate-limit headers unless the provider's configuration names them, and never
/// a provider's imitation of the gateway's headers.
/// </summary>
public sealed class SmugglingResponseHeaderTests(TestEnvironment env)
{
    private const string ProviderHeaders = """
        {"Set-Cookie":["__cf_bm=provider-cookie; path=/","_cfuvid=other"],"openai-organization":"org-gateway-account","openai-project":"proj_gateway",
         "openai-processing-ms":"12","x-ratelimit-remaining-requests":"4999","x-ratelimit-limit-tokens":"2000000","x-request-id":"req_upstream_1",
         "X-Prompt-Name":"spoofed","X-Gateway-Served-Model":"spoofed","X-Gateway-Input-Tokens":"999999","X-Gateway-Cost-USD":"0","Strict-Transport-Security":"max-age=1"}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_allowed_provider_headers_reach_the_client_and_the_gateway_headers_are_the_gateways(bool stream)
    {
        using var response = await SendAsync(env.Gateway, stream, ("x-mock-response-headers", ProviderHeaders.ReplaceLineEndings("")));
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNoProviderAccountHeaders(response);
        Assert.Equal("req_upstream_1", Header(response, "X-Upstream-Request-Id"));
        Assert.NotEqual("req_upstream_1", Header(response, "X-Request-Id"));
        Assert.NotNull(Header(response, "X-Request-Id"));
        Assert.Null(Header(response, "X-Prompt-Name"));
        Assert.Equal("gpt-4o-mini", Header(response, "X-Gateway-Served-Model"));
        Assert.NotEqual("999999", Header(response, "X-Gateway-Input-Tokens"));
        Assert.NotEqual("0", Header(response, "X-Gateway-Cost-USD"));
        Assert.Null(Header(response, "Strict-Transport-Security"));
        Assert.Equal(stream ? "text/event-stream" : "application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("mock reply", body, StringComparison.Ordinal);
        if (stream)
        {
            Assert.Equal("no-cache", Header(response, "Cache-Control"));
            Assert.Contains(": gateway-usage ", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public async Task A_providers_429_is_answered_in_the_gateways_words_with_its_retry_after_and_request_id_and_no_cookies()
    {
        // 429 with a Retry-After past the retry cap: not retried, the provider's answer goes to the client.
        using var response = await SendAsync(env.Gateway, stream: false,
            ("x-mock-status", "429"), ("x-mock-retry-after", "30"), ("x-mock-response-headers", ProviderHeaders.ReplaceLineEndings("")));

        // The gateway's words, not the provider's (OpenAI's name the operators' organisation, limits and usage).
        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.DoesNotContain("mock provider", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("30", Header(response, "Retry-After"));
        AssertNoProviderAccountHeaders(response);
        Assert.Equal("req_upstream_1", Header(response, "X-Upstream-Request-Id"));
    }

    [Fact]
    public async Task A_header_configured_for_a_provider_is_returned_from_it_and_nothing_else_is()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:ReturnResponseHeaders:0"] = "x-ratelimit-*";
        settings["Gateway:Providers:mock:ReturnResponseHeaders:1"] = "openai-processing-ms";
        await using var gateway = await GatewayHost.StartAsync(settings);

        using var response = await SendAsync(gateway, stream: false, ("x-mock-response-headers", ProviderHeaders.ReplaceLineEndings("")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4999", Header(response, "x-ratelimit-remaining-requests"));
        Assert.Equal("2000000", Header(response, "x-ratelimit-limit-tokens"));
        Assert.Equal("12", Header(response, "openai-processing-ms"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Null(Header(response, "openai-organization"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_response_the_provider_encodes_anyway_passes_through_unread_with_nothing_added(bool stream)
    {
        // The gateway asks for identity; a provider that compresses regardless gets its bytes passed on as they are
        // (here labelled gzip by the mock): no usage comment appended to a stream, no usage chunk stripped from it,
        // no usage headers from a body the gateway cannot read.
        using var response = await SendAsync(env.Gateway, stream, ("x-mock-response-headers", """{"Content-Encoding":"gzip"}"""));
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Header(response, "Content-Encoding"));
        Assert.DoesNotContain("gateway-usage", body, StringComparison.Ordinal);
        Assert.Null(Header(response, "X-Gateway-Input-Tokens"));
        if (stream)
        {
            Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
            Assert.Contains("\"choices\":[]", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("mock reply", body, StringComparison.Ordinal);
        }
    }

    private static void AssertNoProviderAccountHeaders(HttpResponseMessage response)
    {
        Assert.False(response.Headers.Contains("Set-Cookie"), "Set-Cookie reached the client");
        foreach (var name in (string[])["openai-organization", "openai-project", "openai-processing-ms", "x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens"])
        {
            Assert.True(Header(response, name) is null, $"{name} reached the client");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(GatewayHost gateway, bool stream, params (string Name, string Value)[] headers)
    {
        using var client = gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", OpenAiClients.NewTag());
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, Ct);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}
