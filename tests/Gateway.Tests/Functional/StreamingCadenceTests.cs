using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>The provider's chunk cadence survives the gateway: spread out as sent, not bunched at the end.</summary>
public sealed class StreamingCadenceTests(TestEnvironment env)
{
    private const int Chunks = 6;
    private const int MockDelayMs = 50;

    [Fact]
    public async Task Chunks_arrive_in_order_and_spaced_like_the_mocks_schedule()
    {
        var name = Bundles.UniqueName("cadence");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"prompt:{{name}}","stream":true,"prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"tick"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("x-mock-chunks", Chunks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("x-mock-chunk-delay-ms", MockDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var arrivals = new List<(long At, string Line)>();
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                arrivals.Add((Stopwatch.GetTimestamp(), line));
            }
        }

        // Order: the content chunks, concatenated, are the mock's reply.
        Assert.Equal(Chunks, arrivals.Count);
        var text = string.Concat(arrivals.Select(a => System.Text.Json.JsonDocument.Parse(a.Line["data: ".Length..]).RootElement
            .GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("mock reply to model=gpt-4o-mini system=v1 for Acme user=tick", text);

        // Spacing, against the mock's own schedule of one chunk every 50 ms: a buffering gateway
        // would deliver them in one burst (gaps near zero). A slow machine only widens the gaps.
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a.At, b.At).TotalMilliseconds).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"inter-chunk gaps (ms): {string.Join(", ", gaps.Select(g => g.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(gaps.Count(g => g >= MockDelayMs / 2.0) >= gaps.Count - 1, $"chunks were bunched: gaps {string.Join(", ", gaps)} ms");
    }
}
