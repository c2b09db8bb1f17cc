using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Accounting;

/// <summary>Streamed responses end with a <c>: gateway-usage</c> comment: reported usage, or an honest estimate.</summary>
public sealed class StreamedAccountingTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    [Fact]
    public async Task With_include_usage_the_providers_figures_are_reported_and_priced()
    {
        var (body, usage) = await StreamAsync("""{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Count me"}]}""");

        var providerUsage = ProviderUsage(body);
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.Equal(providerUsage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(providerUsage.GetProperty("completion_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64());
        var expectedCost = ((usage.GetProperty("input_tokens").GetInt64() * 0.15m) + (usage.GetProperty("output_tokens").GetInt64() * 0.60m)) / 1_000_000m;
        Assert.Equal(expectedCost, usage.GetProperty("cost_usd").GetDecimal());
        Assert.Equal("stop", usage.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Without_usage_from_the_provider_the_figures_are_estimated_from_the_text()
    {
        var (body, usage) = await StreamAsync("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Estimate me"}]}""");

        var reply = "mock reply to model=gpt-4o-mini system=- user=Estimate me";
        Assert.DoesNotContain("\"usage\":{", body, StringComparison.Ordinal);
        Assert.Equal("estimated", usage.GetProperty("source").GetString());
        Assert.Equal(O200k.CountTokens(reply), usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(O200k.CountTokens("Estimate me\n"), usage.GetProperty("input_tokens").GetInt64());
    }

    private async Task<(string Body, JsonElement Usage)> StreamAsync(string json)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var comment = body.Split('\n').Single(l => l.StartsWith(": gateway-usage ", StringComparison.Ordinal));
        Assert.True(body.IndexOf(comment, StringComparison.Ordinal) > body.IndexOf("data: [DONE]", StringComparison.Ordinal), "the usage comment comes after the final event");
        return (body, JsonDocument.Parse(comment[": gateway-usage ".Length..]).RootElement.Clone());
    }

    private static JsonElement ProviderUsage(string body) =>
        body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement)
            .Last(e => e.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            .GetProperty("usage").Clone();
}
