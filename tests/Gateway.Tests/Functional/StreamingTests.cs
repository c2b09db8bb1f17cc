using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

public sealed class StreamingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The mock holds the stream after its first content chunk until released. If the gateway
    /// buffered, the client could not see that chunk before the release: no timing involved.
    /// </summary>
    [Fact]
    public async Task Chunks_reach_the_client_before_the_provider_has_finished()
    {
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hold me"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("x-mock-hold", hold);
        request.Headers.Add("x-mock-chunks", "3");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        var beforeRelease = new List<string>();
        while (!beforeRelease.Any(l => l.Contains("\"content\":\"", StringComparison.Ordinal) && !l.Contains("\"content\":\"\"", StringComparison.Ordinal)))
        {
            var line = await reader.ReadLineAsync(Ct);
            Assert.NotNull(line);
            beforeRelease.Add(line);
        }

        Assert.DoesNotContain(beforeRelease, l => l.Contains("[DONE]", StringComparison.Ordinal));

        using var mock = new HttpClient { BaseAddress = env.MockUrl };
        using var release = await mock.PostAsync($"/mock/release/{hold}", null, Ct);
        Assert.True(release.IsSuccessStatusCode);

        var rest = await reader.ReadToEndAsync(Ct);
        Assert.Contains("\"finish_reason\":\"stop\"", rest, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", rest, StringComparison.Ordinal);
        Assert.StartsWith(": gateway-usage {", rest[(rest.IndexOf("data: [DONE]", StringComparison.Ordinal) + "data: [DONE]".Length)..].TrimStart(), StringComparison.Ordinal);
    }
}
