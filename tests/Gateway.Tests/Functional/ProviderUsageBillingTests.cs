using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// Every endpoint that reports usage is billed from it, streamed or not: chat, legacy completions and
/// the Responses API (whose streamed usage comes in <c>response.completed</c>).
/// </summary>
public sealed class ProviderUsageBillingTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_streamed_responses_request_is_billed_from_the_usage_in_response_completed()
    {
        using var response = await PostAsync("/v1/responses", """{"model":"gpt-4o-mini","stream":true,"instructions":"Be brief.","input":"Bill my stream"}""", ("x-mock-chunks", "3"));

        var body = await response.Content.ReadAsStringAsync(Ct);
        var usage = UsageComment(body);
        const string Reply = "mock reply to model=gpt-4o-mini system=Be brief. user=Bill my stream";
        var completed = ProviderEvents(body).Single(e => e.GetProperty("type").GetString() == "response.completed").GetProperty("response").GetProperty("usage");
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.Equal(O200k.CountTokens("Be brief.") + O200k.CountTokens("Bill my stream"), usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(O200k.CountTokens(Reply), usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(completed.GetProperty("input_tokens").GetInt64(), usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(completed.GetProperty("output_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(Cost(usage), usage.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(("completed", "gpt-4o-mini"), (usage.GetProperty("finish_reason").GetString(), usage.GetProperty("response_model").GetString()));
        Assert.True(usage.GetProperty("ttft_ms").GetDouble() >= 0);
        Assert.Equal(Reply, string.Concat(ProviderEvents(body).Where(e => e.GetProperty("type").GetString() == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString())));
    }

    [Fact]
    public async Task A_non_streamed_responses_request_is_billed_from_its_usage()
    {
        using var response = await PostAsync("/v1/responses", """{"model":"gpt-4o-mini","input":"Bill my body"}""");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var usage = json.RootElement.GetProperty("usage");
        Assert.Equal("reported", Header(response, "X-Gateway-Usage-Source"));
        Assert.Equal(usage.GetProperty("input_tokens").GetInt64(), long.Parse(Header(response, "X-Gateway-Input-Tokens")!, CultureInfo.InvariantCulture));
        Assert.Equal(usage.GetProperty("output_tokens").GetInt64(), long.Parse(Header(response, "X-Gateway-Output-Tokens")!, CultureInfo.InvariantCulture));
        Assert.Equal(O200k.CountTokens("Bill my body"), usage.GetProperty("input_tokens").GetInt64());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_responses_answer_echoing_a_deep_tool_schema_is_billed_from_its_usage(bool stream)
    {
        // The gateway admits a request 128 deep; the Responses API echoes its tools in the response (streamed: in
        // response.created, in_progress and completed, one level deeper). A schema about 114 deep was past what the
        // response reader read (64): the answer was unreadable and billed as estimated with no output.
        var schema = new StringBuilder("""{"type":"string"}""");
        for (var level = 0; level < 55; level++)
        {
            schema.Insert(0, """{"type":"object","properties":{"a":""").Append("}}");
        }

        var streamed = stream ? "true" : "false";
        using var response = await PostAsync("/v1/responses", $$"""{"model":"gpt-4o-mini","stream":{{streamed}},"input":"Deep schema","tools":[{"type":"function","name":"deep","strict":false,"parameters":{{schema}}}]}""");

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("\"tools\":[{\"type\":\"function\",\"name\":\"deep\"", body, StringComparison.Ordinal);
        var (source, input, output) = stream
            ? (UsageComment(body).GetProperty("source").GetString(), UsageComment(body).GetProperty("input_tokens").GetInt64(), UsageComment(body).GetProperty("output_tokens").GetInt64())
            : (Header(response, "X-Gateway-Usage-Source"), long.Parse(Header(response, "X-Gateway-Input-Tokens")!, CultureInfo.InvariantCulture),
                long.Parse(Header(response, "X-Gateway-Output-Tokens")!, CultureInfo.InvariantCulture));
        Assert.Equal("reported", source);
        Assert.Equal((O200k.CountTokens("Deep schema"), O200k.CountTokens("mock reply to model=gpt-4o-mini system=- user=Deep schema")), (input, output));
    }

    [Fact]
    public async Task A_streamed_completions_request_is_billed_from_the_usage_chunk_the_client_never_sees()
    {
        using var response = await PostAsync("/v1/completions", """{"model":"gpt-4o-mini","stream":true,"prompt":"Bill my completion"}""");

        var body = await response.Content.ReadAsStringAsync(Ct);
        var usage = UsageComment(body);
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.Equal(O200k.CountTokens("Bill my completion"), usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(O200k.CountTokens("mock completion for model=gpt-4o-mini prompt=Bill my completion"), usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal("stop", usage.GetProperty("finish_reason").GetString());
        Assert.DoesNotContain(ProviderEvents(body), e => e.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object);
        Assert.Contains("data: [DONE]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_streamed_completions_request_is_billed_from_its_usage()
    {
        using var response = await PostAsync("/v1/completions", """{"model":"gpt-4o-mini","prompt":"Bill my text"}""");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var usage = json.RootElement.GetProperty("usage");
        Assert.Equal("reported", Header(response, "X-Gateway-Usage-Source"));
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64(), long.Parse(Header(response, "X-Gateway-Input-Tokens")!, CultureInfo.InvariantCulture));
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt64(), long.Parse(Header(response, "X-Gateway-Output-Tokens")!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_sdk_streams_a_responses_answer_through_the_gateway()
    {
#pragma warning disable OPENAI001 // The Responses client is marked experimental in the SDK.
        var client = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-chunks", "4")).GetResponsesClient();
        var text = new StringBuilder();
        OpenAI.Responses.ResponseTokenUsage? usage = null;

        await foreach (var update in await client.CreateResponseStreamingAsync("gpt-4o-mini", "sdk", previousResponseId: null, Ct))
        {
            if (update is OpenAI.Responses.StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
            else if (update is OpenAI.Responses.StreamingResponseCompletedUpdate completed)
            {
                usage = completed.Response.Usage;
            }
        }
#pragma warning restore OPENAI001

        Assert.Equal("mock reply to model=gpt-4o-mini system=- user=sdk", text.ToString());
        Assert.Equal(O200k.CountTokens("sdk"), usage?.InputTokenCount);
    }

    internal static JsonElement UsageComment(string body)
    {
        var comment = body.Split('\n').Single(l => l.StartsWith(": gateway-usage ", StringComparison.Ordinal));
        return JsonDocument.Parse(comment[": gateway-usage ".Length..]).RootElement.Clone();
    }

    private static IEnumerable<JsonElement> ProviderEvents(string body) =>
        body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone());

    private static decimal Cost(JsonElement usage) =>
        ((usage.GetProperty("input_tokens").GetInt64() * 0.15m) + (usage.GetProperty("output_tokens").GetInt64() * 0.60m)) / 1_000_000m;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private async Task<HttpResponseMessage> PostAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
