using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>What reaches the provider, and what comes back when the provider misbehaves.</summary>
public sealed class ProviderRoutingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_gateway_key_is_replaced_by_the_provider_key()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await PostAsync("/v1/chat/completions", Chat("gpt-4o-mini"), tag,
            ("OpenAI-Organization", "org-client"), ("OpenAI-Project", "proj-client"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = env.Received.ForTag(tag).Single();
        Assert.Equal("Bearer " + TestEnvironment.ProviderKey, Header(received, "Authorization"));
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(env.ApiKey, StringComparison.Ordinal));
        Assert.Null(Header(received, "OpenAI-Organization"));
        Assert.Null(Header(received, "OpenAI-Project"));
    }

    [Fact]
    public async Task A_catalog_alias_is_rewritten_to_the_upstream_model_and_nothing_else_changes()
    {
        var tag = OpenAiClients.NewTag();
        var body = """{ "messages":[{"role":"user","content":"hi"}], "model" : "house-model", "temperature":0.25,"metadata":{"model":"keep"}}""";

        using var response = await PostAsync("/v1/chat/completions", body, tag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = env.Received.ForTag(tag).Single().Body;
        Assert.Equal(body.Replace("\"house-model\"", "\"gpt-4o-mini\"", StringComparison.Ordinal), forwarded);
        Assert.Contains("model=gpt-4o-mini", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_models_go_to_the_deployment_path_with_api_version_and_api_key()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await PostAsync("/v1/chat/completions?mock_chunks=2", Chat("azure-gpt"), tag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = env.Received.ForTag(tag).Single();
        Assert.Equal("/openai/deployments/my-deployment/chat/completions", received.Path);
        Assert.Contains("api-version=" + TestEnvironment.AzureApiVersion, received.QueryString, StringComparison.Ordinal);
        Assert.Contains("mock_chunks=2", received.QueryString, StringComparison.Ordinal);
        Assert.Equal(TestEnvironment.ProviderKey, Header(received, "api-key"));
        Assert.Null(Header(received, "Authorization"));
    }

    [Fact]
    public async Task A_query_string_reaches_a_provider_other_than_azure_exactly_as_the_client_sent_it()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await PostAsync("/v1/chat/completions?flag&a=1&b=x%20y&a=2", Chat("gpt-4o-mini"), tag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?flag&a=1&b=x%20y&a=2", env.Received.ForTag(tag).Single().QueryString);
    }

    // 429 with a Retry-After past the cap (10 s) is not retried; 503 is retried, then the last one
    // passes through; 400 is never retried.
    [Theory]
    [InlineData(429, "60", 1)]
    [InlineData(503, null, 3)]
    [InlineData(400, null, 1)]
    public async Task Provider_errors_pass_through_unchanged(int status, string? retryAfter, int attempts)
    {
        var tag = OpenAiClients.NewTag();
        var headers = new List<(string, string)> { ("x-mock-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (retryAfter is not null)
        {
            headers.Add(("x-mock-retry-after", retryAfter));
        }

        using var response = await PostAsync("/v1/chat/completions", Chat("gpt-4o-mini"), tag, [.. headers]);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.ToString());
        Assert.Equal(attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Gateway-Attempts").Single());
        await ErrorAssertions.AssertOpenAiErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(attempts, env.Received.ForTag(tag).Count);
    }

    [Fact]
    public async Task An_unreachable_provider_is_502_in_openai_shape()
    {
        using var response = await PostAsync("/v1/chat/completions", Chat("dead-model"), OpenAiClients.NewTag());

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable");
        Assert.Contains("dead", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_does_not_answer_in_time_is_504()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await PostAsync("/v1/chat/completions", Chat("slow-model"), tag, ("x-mock-hang", "true"));

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        // Not retried (one attempt). On a loaded box the 1 s timeout can end the attempt before the mock has read and
        // logged the request, so it is seen at most once, not necessarily once.
        Assert.InRange(env.Received.ForTag(tag).Count, 0, 1);
    }

    [Fact]
    public async Task Every_response_carries_the_gateway_request_id()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await PostAsync("/v1/chat/completions", Chat("gpt-4o-mini"), tag, ("X-Request-Id", "client-correlation-1"));

        Assert.Equal("client-correlation-1", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Completions_and_responses_are_proxied_too()
    {
        using var completion = await PostAsync("/v1/completions", """{"model":"gpt-4o-mini","prompt":"Say hi"}""", OpenAiClients.NewTag());
        using var responses = await PostAsync("/v1/responses", """{"model":"gpt-4o","input":"Say hi"}""", OpenAiClients.NewTag());

        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        Assert.Equal(HttpStatusCode.OK, responses.StatusCode);
        using var completionJson = JsonDocument.Parse(await completion.Content.ReadAsStringAsync(Ct));
        using var responsesJson = JsonDocument.Parse(await responses.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text_completion", completionJson.RootElement.GetProperty("object").GetString());
        Assert.Equal("response", responsesJson.RootElement.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Other_paths_and_methods_are_not_proxied()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var get = await client.GetAsync("/v1/chat/completions", Ct);
        using var files = await client.PostAsync("/v1/files", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, files.StatusCode);
    }

    private static string Chat(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private static string? Header(LlmGateway.MockProvider.ReceivedRequest request, string name) =>
        request.Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string tag, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
