using System.Globalization;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Store;
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
            await HangUpOnceTheProviderHasItAsync(client, request, tag);
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

    [Fact]
    public async Task An_embeddings_request_of_token_ids_the_client_leaves_is_billed_a_token_per_id()
    {
        // Token ids have no text: estimated at nothing, a spend-limited key could send hundreds of thousands of ids and
        // hang up on each, its day's spend never moving.
        const int Arrays = 4, IdsPerArray = 1_000;
        var settings = env.GatewaySettings();
        // The tests' embeddings model has no price, which a spend limit refuses: text-embedding-3-small's.
        settings["Gateway:Pricing:Models:text-embedding-3-small:0:EffectiveFrom"] = "2024-01-25T00:00:00Z";
        settings["Gateway:Pricing:Models:text-embedding-3-small:0:InputPerMillion"] = "0.02";
        settings["Gateway:Pricing:Models:text-embedding-3-small:0:OutputPerMillion"] = "0";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("abandon-ids", "test", [], new KeyLimits(0.01m, null, null));
        var ids = string.Join(',', Enumerable.Repeat("[" + string.Join(',', Enumerable.Range(1_000, IdsPerArray)) + "]", Arrays));
        var day = DateTimeOffset.UtcNow;
        var tag = OpenAiClients.NewTag();
        using (var client = gateway.CreateClient(secret))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings")
            {
                Content = new StringContent($$"""{"model":"text-embedding-3-small","input":[{{ids}}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-mock-tag", tag);
            request.Headers.Add("x-mock-ttfb-ms", "600000");
            await HangUpOnceTheProviderHasItAsync(client, request, tag);
        }

        using var viewer = new AdminClient(gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={record.Id}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(10));
        var row = Assert.Single(rows.Json.EnumerateArray());
        Assert.Equal(Arrays * IdsPerArray, row.GetProperty("input_tokens").GetInt64());
        // 4,000 tokens at 0.02 USD per million (an embedding's output is free), charged to the key's day (settled before
        // the usage was recorded).
        Assert.Equal(0.00008m, row.GetProperty("cost_usd").GetDecimal());
        var now = DateTimeOffset.UtcNow;
        var spent = await DaySpentAsync(record.Id, day) + (now.Date == day.Date ? 0 : await DaySpentAsync(record.Id, now));
        Assert.Equal(80_000, spent);
    }

    private async Task<long> DaySpentAsync(string keyId, DateTimeOffset day)
    {
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var value = await store.Database.StringGetAsync($"{store.Keys.Prefix}:{{budget:{keyId}}}:day:{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}");
        return value.IsNull ? 0 : (long)value;
    }

    /// <summary>Sends the request, waits until the provider has all of it, then hangs up as a client would.</summary>
    private async Task HangUpOnceTheProviderHasItAsync(HttpClient client, HttpRequestMessage request, string tag)
    {
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sent = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(env.Received.ForTag(tag).Count == 1), TimeSpan.FromSeconds(10)));
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sent);
    }
}
