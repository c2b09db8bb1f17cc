using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// No buffer holds a provider line past the cap (<c>Gateway:Proxy:MaxProviderLineBytes</c>, 12 MB by default): a
/// provider that sends a longer line gets its stream ended there, the client gets the OpenAI-style SSE error event,
/// and the request is billed as cut for what was generated.
/// </summary>
public sealed class SmugglingLineCapTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_line_past_the_configured_cap_ends_the_stream_with_an_error_event_and_is_billed_as_cut(bool clientAsksForUsage)
    {
        // Without include_usage from the client the gateway injects it and strips the usage chunk (the held-event path).
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxProviderLineBytes"] = (64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Proxy:MaxRequestBodyBytes"] = (32 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);

        var under = await StreamAsync(gateway, clientAsksForUsage, 48 * 1024);
        var over = await StreamAsync(gateway, clientAsksForUsage, 256 * 1024);

        // Under the cap: the long event passes, the stream ends normally.
        Assert.Contains("data: [DONE]", under, StringComparison.Ordinal);
        Assert.False(Usage(under).TryGetProperty("cut", out var cut) && cut.GetBoolean());

        // Over it: ended right there, with the error event, billed as cut for the chunk that arrived first.
        AssertEndedOversized(over);
    }

    [Theory]
    [InlineData(12 * 1024 * 1024, 8 * 1024 * 1024, 16 * 1024 * 1024)]
    [InlineData(12 * 1024 * 1024, 1024 * 1024, 12 * 1024 * 1024)]
    [InlineData(64 * 1024, 32 * 1024, 64 * 1024)]
    [InlineData(16 * 1024 * 1024, 512 * 1024 * 1024, 1024 * 1024 * 1024)]
    public void The_cap_in_force_is_never_below_twice_the_request_limit_since_a_responses_stream_echoes_the_request(int configured, long bodyLimit, int inForce)
    {
        var options = new LlmGateway.Proxy.ProxyOptions { MaxProviderLineBytes = configured, MaxRequestBodyBytes = bodyLimit };

        Assert.Equal(inForce, options.EffectiveMaxProviderLineBytes);
    }

    [Fact]
    public async Task A_line_past_the_default_cap_of_12_MB_ends_the_stream()
    {
        var sse = await StreamAsync(env.Gateway, clientAsksForUsage: true, (12 * 1024 * 1024) + (64 * 1024));

        AssertEndedOversized(sse);
    }

    private static void AssertEndedOversized(string sse)
    {
        Assert.DoesNotContain("data: [DONE]", sse, StringComparison.Ordinal);
        var error = sse.Split('\n')
            .Where(line => line.StartsWith("data: {\"error\"", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("error"))
            .Single();
        Assert.Equal("upstream_stream_oversized", error.GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        var usage = Usage(sse);
        Assert.True(usage.GetProperty("cut").GetBoolean());
        Assert.True(usage.GetProperty("output_tokens").GetInt32() > 0, "the chunk before the long line is billed");

        // The error event comes after the first content chunk, and nothing of the provider's comes after it.
        var errorAt = sse.IndexOf("upstream_stream_oversized", StringComparison.Ordinal);
        Assert.True(sse.IndexOf("\"content\":\"", StringComparison.Ordinal) < errorAt);
        Assert.DoesNotContain("finish_reason\":\"stop", sse[errorAt..], StringComparison.Ordinal);
    }

    private async Task<string> StreamAsync(GatewayHost gateway, bool clientAsksForUsage, int padding)
    {
        using var client = gateway.CreateClient(env.ApiKey);
        var usage = clientAsksForUsage ? ""","stream_options":{"include_usage":true}""" : "";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":true{{usage}},"messages":[{"role":"user","content":"tell me"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", OpenAiClients.NewTag());
        request.Headers.Add("x-mock-chunks", "4");
        request.Headers.Add("x-mock-long-line", padding.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static JsonElement Usage(string sse) =>
        JsonDocument.Parse(sse.Split('\n').Single(line => line.StartsWith(": gateway-usage ", StringComparison.Ordinal))[": gateway-usage ".Length..]).RootElement;
}
