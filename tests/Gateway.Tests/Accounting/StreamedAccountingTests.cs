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
        Assert.Equal("gpt-4o-mini", usage.GetProperty("response_model").GetString());
        Assert.True(usage.GetProperty("ttft_ms").GetDouble() >= 0);
    }

    [Fact]
    public async Task Without_include_usage_the_gateway_asks_for_it_reports_it_and_the_client_never_sees_the_usage_chunk()
    {
        var tag = OpenAiClients.NewTag();

        var (body, usage) = await StreamAsync("""{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"Count me too"}]}""", tag);

        using var forwarded = JsonDocument.Parse(env.Received.ForTag(tag).Single().Body);
        var options = forwarded.RootElement.GetProperty("stream_options");
        Assert.True(options.GetProperty("include_usage").GetBoolean());
        Assert.False(options.GetProperty("include_obfuscation").GetBoolean());
        Assert.DoesNotContain("\"choices\":[]", body, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", body, StringComparison.Ordinal);
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.Equal(O200k.CountTokens("mock reply to model=gpt-4o-mini system=- user=Count me too"), usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(O200k.CountTokens("Count me too"), usage.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task The_sdk_streams_as_before_through_the_injection()
    {
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-chunks", "4")).GetChatClient("gpt-4o-mini");
        var text = new StringBuilder();
        var updates = 0;

        await foreach (var update in chat.CompleteChatStreamingAsync([new OpenAI.Chat.UserChatMessage("sdk")], cancellationToken: TestContext.Current.CancellationToken))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("mock reply to model=gpt-4o-mini system=- user=sdk", text.ToString());
        Assert.True(updates >= 5);
    }

    private async Task<(string Body, JsonElement Usage)> StreamAsync(string json, string? tag = null)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        if (tag is not null)
        {
            request.Headers.Add("x-mock-tag", tag);
        }

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
