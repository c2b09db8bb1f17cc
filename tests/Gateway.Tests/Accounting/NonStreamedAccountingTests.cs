using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>Non-streamed responses carry their tokens and cost in headers; the same completion streamed gives the same figures.</summary>
public sealed class NonStreamedAccountingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Headers_carry_the_reported_usage_and_its_cost_and_the_body_is_unchanged()
    {
        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Bill me"}]}""");

        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        var body = Encoding.UTF8.GetString(bytes);
        using var json = JsonDocument.Parse(body);
        var usage = json.RootElement.GetProperty("usage");

        // The gateway held the whole body for these headers, so it sends the body's length (the mock sends it chunked).
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-Gateway-Input-Tokens"));
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-Gateway-Output-Tokens"));
        Assert.Equal("reported", Header(response, "X-Gateway-Usage-Source"));
        var cost = ((usage.GetProperty("prompt_tokens").GetInt64() * 0.15m) + (usage.GetProperty("completion_tokens").GetInt64() * 0.60m)) / 1_000_000m;
        Assert.Equal(cost, decimal.Parse(Header(response, "X-Gateway-Cost-USD")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("\"content\":\"mock reply to model=gpt-4o-mini system=- user=Bill me\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_and_non_streamed_give_the_same_figures()
    {
        const string Messages = """ "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Same figures?"}] """;
        using var plain = await PostAsync("/v1/chat/completions", $$"""{"model":"gpt-4o-mini",{{Messages}}}""");
        using var streamed = await PostAsync("/v1/chat/completions", $$"""{"model":"gpt-4o-mini","stream":true,{{Messages}}}""");

        var comment = (await streamed.Content.ReadAsStringAsync(Ct)).Split('\n').Single(l => l.StartsWith(": gateway-usage ", StringComparison.Ordinal));
        using var record = JsonDocument.Parse(comment[": gateway-usage ".Length..]);
        Assert.Equal(Header(plain, "X-Gateway-Input-Tokens"), record.RootElement.GetProperty("input_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Header(plain, "X-Gateway-Output-Tokens"), record.RootElement.GetProperty("output_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(Header(plain, "X-Gateway-Cost-USD")!, System.Globalization.CultureInfo.InvariantCulture), record.RootElement.GetProperty("cost_usd").GetDecimal());
    }

    [Fact]
    public async Task A_model_without_a_price_says_unknown_not_zero_and_embeddings_count_input_tokens()
    {
        using var response = await PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":"count these tokens"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unknown", Header(response, "X-Gateway-Cost-USD"));
        Assert.NotEqual("0", Header(response, "X-Gateway-Input-Tokens"));
        // The provider reports only prompt_tokens for embeddings: that is the usage, reported, not an estimate.
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-Gateway-Input-Tokens"));
        Assert.Equal(("reported", "0"), (Header(response, "X-Gateway-Usage-Source"), Header(response, "X-Gateway-Output-Tokens")));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private async Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
