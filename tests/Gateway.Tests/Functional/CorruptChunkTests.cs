using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// A provider chunk with a lone surrogate escape (<c>"\ud800"</c>) or invalid UTF-8 once made the
/// gateway's reader throw: the client got an <c>upstream_stream_cut</c> error after <c>[DONE]</c>
/// and the request was billed as cut, estimated. Such bytes are the provider's business: they pass
/// through unchanged, are counted, and the request is billed from the usage the provider reported.
/// </summary>
public sealed class CorruptChunkTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"corrupt me"}]}""", "mock reply to model=gpt-4o-mini system=- user=corrupt me")]
    [InlineData("/v1/completions", """{"model":"gpt-4o-mini","stream":true,"prompt":"corrupt me"}""", "mock completion for model=gpt-4o-mini prompt=corrupt me")]
    [InlineData("/v1/responses", """{"model":"gpt-4o-mini","stream":true,"input":"corrupt me"}""", "mock reply to model=gpt-4o-mini system=- user=corrupt me")]
    public async Task A_lone_surrogate_passes_through_never_cuts_the_stream_and_the_providers_usage_is_billed(string path, string json, string reply)
    {
        var bytes = await StreamAsync(env.Gateway, path, json, "lone-surrogate");

        var body = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"\\ud800\"", body, StringComparison.Ordinal);
        AssertBilledFromProvider(body, reply);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"corrupt me"}]}""", "mock reply to model=gpt-4o-mini system=- user=corrupt me")]
    [InlineData("/v1/responses", """{"model":"gpt-4o-mini","stream":true,"input":"corrupt me"}""", "mock reply to model=gpt-4o-mini system=- user=corrupt me")]
    public async Task Invalid_utf8_passes_through_byte_for_byte_and_the_providers_usage_is_billed(string path, string json, string reply)
    {
        var bytes = await StreamAsync(env.Gateway, path, json, "invalid-utf8");

        Assert.True(bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xFE, 0xC3, (byte)'"']) >= 0, "the invalid bytes reached the client unchanged");
        AssertBilledFromProvider(Encoding.UTF8.GetString(bytes), reply);
    }

    [Fact]
    public async Task The_unreadable_event_is_counted_in_a_warning()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), builder => builder.Logging.AddProvider(logs));

        await StreamAsync(gateway, "/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"count me"}]}""", "lone-surrogate");

        var warning = Assert.Single(logs.Lines, l => l.Text.Contains("unreadable events", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Malformed=0 InvalidText=1", warning.Text, StringComparison.Ordinal);

        // And in a metric operators can alert on (this gateway's own meter: only this request counts).
        using var scraper = gateway.CreateClient(null);
        var line = "";
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                line = (await scraper.GetStringAsync("/metrics", Ct)).Split('\n').FirstOrDefault(l => l.StartsWith("gateway_upstream_unreadable_events_total{", StringComparison.Ordinal)) ?? "";
                return line.Length > 0;
            },
            TimeSpan.FromSeconds(5)));
        Assert.Matches(@"\} 1( |$)", line);
    }

    private static void AssertBilledFromProvider(string body, string reply)
    {
        Assert.DoesNotContain("upstream_stream", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\":{", body, StringComparison.Ordinal);
        var usage = ProviderUsageBillingTests.UsageComment(body);
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.False(usage.TryGetProperty("cut", out _));
        Assert.Equal(O200k.CountTokens("corrupt me"), usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(O200k.CountTokens(reply), usage.GetProperty("output_tokens").GetInt64());
    }

    private async Task<byte[]> StreamAsync(GatewayHost gateway, string path, string json, string corruption)
    {
        using var client = gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Add("x-mock-corrupt", corruption);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }
}
