using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.MockProvider;

/// <summary>The mock's documented contract, which other tests and the load tests rely on.</summary>
public sealed class MockProviderTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Usage_equals_real_o200k_counts_of_what_was_received_and_sent()
    {
        using var response = await PostAsync("""{"model":"gpt-4o","messages":[{"role":"system","content":"Answer in French."},{"role":"user","content":"Where is the station?"}]}""");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var content = json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        var usage = json.RootElement.GetProperty("usage");
        Assert.Equal(O200k.CountTokens("Answer in French.") + O200k.CountTokens("Where is the station?"), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(O200k.CountTokens(content), usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Cut_after_ends_the_stream_abruptly_after_that_many_chunks()
    {
        using var response = await PostAsync("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"cut me"}]}""", ("x-mock-cut-after", "2"), ("x-mock-chunks", "5"));
        var body = new StringBuilder();
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        var buffer = new byte[4096];

        var cut = await Record.ExceptionAsync(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                body.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        });

        Assert.IsAssignableFrom<IOException>(cut);
        Assert.DoesNotContain("[DONE]", body.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("finish_reason\":\"stop", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fail_times_fails_the_first_n_requests_of_a_tag_then_succeeds()
    {
        var tag = OpenAiClients.NewTag();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync("""{"model":"gpt-4o","messages":[]}""", ("x-mock-tag", tag), ("x-mock-fail-times", "2"));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task Error_cut_after_sends_the_start_of_an_injected_error_then_drops_the_connection()
    {
        using var response = await PostAsync("""{"model":"gpt-4o","messages":[]}""", ("x-mock-status", "503"), ("x-mock-error-cut-after", "12"));
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        using var received = new MemoryStream();

        var cut = await Record.ExceptionAsync(() => stream.CopyToAsync(received, Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.IsAssignableFrom<IOException>(cut);
        Assert.Equal("""{"error":{"m""", Encoding.UTF8.GetString(received.ToArray()));
    }

    [Fact]
    public async Task An_injected_error_names_the_code_and_param_it_is_given()
    {
        using var response = await PostAsync("""{"model":"gpt-4o","messages":[]}""",
            ("x-mock-status", "400"), ("x-mock-error-code", "context_length_exceeded"), ("x-mock-error-param", "messages"));

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "context_length_exceeded");
        Assert.Equal(("invalid_request_error", "messages"), (error.GetProperty("type").GetString(), error.GetProperty("param").GetString()));
    }

    [Fact]
    public async Task A_response_format_of_an_unknown_type_is_refused_naming_the_field()
    {
        using var response = await PostAsync("""{"model":"gpt-4o","messages":[],"response_format":{"type":"yaml"}}""");

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("response_format.type", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Requests_without_the_provider_key_are_refused()
    {
        using var client = new HttpClient { BaseAddress = env.MockUrl };

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    private async Task<HttpResponseMessage> PostAsync(string body, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient { BaseAddress = env.MockUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestEnvironment.ProviderKey);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }
}
