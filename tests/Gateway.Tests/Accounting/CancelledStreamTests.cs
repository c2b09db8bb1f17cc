using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Accounting;

/// <summary>A client that hangs up mid-stream is billed for what was generated, within a token.</summary>
public sealed class CancelledStreamTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    [Fact]
    public async Task A_stream_cancelled_after_its_first_chunk_is_billed_for_that_chunk()
    {
        var (record, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("cancel", "test", []);
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        string firstChunk;
        using (var client = env.Gateway.CreateClient(secret))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"a long answer please"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add("x-mock-hold", hold);
            request.Headers.Add("x-mock-chunks", "6");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
            firstChunk = "";
            while (firstChunk.Length == 0 && await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                if (line.StartsWith("data: {", StringComparison.Ordinal))
                {
                    var delta = JsonDocument.Parse(line[6..]).RootElement.GetProperty("choices")[0].GetProperty("delta");
                    firstChunk = delta.TryGetProperty("content", out var content) ? content.GetString() ?? "" : "";
                }
            }

            // Hang up here, while the provider still holds the rest.
        }

        // The provider is never released: the gateway must notice the hang-up, cancel upstream and bill.
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={record.Id}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(5));
        var billed = rows.Json.EnumerateArray().Sum(row => row.GetProperty("output_tokens").GetInt64());
        using (var mock = new HttpClient { BaseAddress = env.MockUrl })
        {
            (await mock.PostAsync($"/mock/release/{hold}", null, TestContext.Current.CancellationToken)).Dispose();
        }

        Assert.InRange(billed, O200k.CountTokens(firstChunk) - 1, O200k.CountTokens(firstChunk) + 1);
    }
}
