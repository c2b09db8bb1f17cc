using System.Text;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// A client that hangs up before any answer reached it, once the provider has its whole request, is billed as the
/// provider bills it: the prompt, and for a JSON answer (which a provider finishes whoever is listening) its output cap.
/// Otherwise a key could send large requests and hang up on each, spending the operators' money outside its budget.
/// </summary>
public sealed class AbandonedRequestTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, 40L)]
    [InlineData(true, 0L)]
    public async Task A_request_the_client_leaves_while_the_provider_has_it_is_billed(bool stream, long expectedOutput)
    {
        var (record, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("abandon", "test", []);
        var tag = OpenAiClients.NewTag();
        using (var client = env.Gateway.CreateClient(secret))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(
                    $$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"max_tokens":40,"messages":[{"role":"user","content":"a long answer please"}]}""",
                    Encoding.UTF8,
                    "application/json"),
            };
            request.Headers.Add("x-mock-tag", tag);
            // The provider sits on it (until the gateway hangs up on it).
            request.Headers.Add("x-mock-ttfb-ms", "600000");
            using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var sent = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);

            // The provider has the whole request: now the client hangs up.
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(env.Received.ForTag(tag).Count == 1), TimeSpan.FromSeconds(10)));
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sent);
        }

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={record.Id}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(10));
        var row = Assert.Single(rows.Json.EnumerateArray());
        Assert.True(row.GetProperty("input_tokens").GetInt64() > 0, row.ToString());
        Assert.Equal(expectedOutput, row.GetProperty("output_tokens").GetInt64());
        Assert.True(row.GetProperty("cost_usd").GetDecimal() > 0, row.ToString());
    }
}
