using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>Per-key budgets: reserved atomically before forwarding, settled after, never overspent.</summary>
public sealed class BudgetTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fifty_concurrent_requests_against_a_budget_for_ten_never_overspend()
    {
        // Each request reserves an upper bound of its input (2 text tokens, 7 of framing, 82 other body
        // bytes) + max_tokens 100, about 191 tokens: the limit fits ten.
        var (_, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("budget", "test", [], new KeyLimits(null, null, 1_950));
        using var client = env.Gateway.CreateClient(secret);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"n{{i}}"}]}""", Encoding.UTF8, "application/json"),
            };
            using var response = await client.SendAsync(request, Ct);
            var tokens = response.StatusCode == HttpStatusCode.OK
                ? long.Parse(response.Headers.GetValues("X-Gateway-Input-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture)
                  + long.Parse(response.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            var body = await response.Content.ReadAsStringAsync(Ct);
            return (response.StatusCode, Tokens: tokens, Body: body, RetryAfter: response.Headers.RetryAfter);
        }));

        var ok = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(50, ok.Count + refused.Count);
        Assert.InRange(ok.Count, 10, 49);
        Assert.NotEmpty(refused);
        Assert.True(ok.Sum(r => r.Tokens) <= 1_950, $"spent {ok.Sum(r => r.Tokens)} tokens of 1950");
        var error = JsonDocument.Parse(refused[0].Body).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.NotNull(refused[0].RetryAfter);
    }

    [Fact]
    public async Task A_request_whose_worst_case_exceeds_the_daily_budget_is_refused()
    {
        // gpt-4o-mini at 0.15/0.60 per million: a worst case of ~4 100 tokens costs ~0.0025 USD.
        var (_, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("spend", "test", [], new KeyLimits(0.0001m, null, null));
        using var client = env.Gateway.CreateClient(secret);

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"expensive"}]}""", Encoding.UTF8, "application/json"), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.TooManyRequests, "budget_exceeded");
        Assert.Contains("daily budget", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_prompt_with_a_lone_surrogate_escape_is_served_to_a_key_with_limits_and_billed()
    {
        // JSON.stringify writes "\ud83d" for text cut inside an emoji, and providers accept it; estimating the prompt
        // threw on it, a 500 before the request was forwarded.
        var (_, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("surrogate", "test", [], new KeyLimits(1m, null, 100_000));
        using var client = env.Gateway.CreateClient(secret);

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gpt-4o-mini","max_tokens":50,"messages":[{"role":"user","content":"cut \ud83d"}]}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(response.Headers.GetValues("X-Gateway-Input-Tokens"));
    }

    [Fact]
    public async Task A_reservation_the_store_answers_with_an_error_is_refused_not_let_through_unbudgeted()
    {
        // A key limited only by tokens per minute still has its spend added to its day counter. At the end of its 64-bit
        // range, the reservation's INCRBY overflows: the store's own error, the same every time, not an outage that
        // fail-open (on by default) may let requests through for, unreserved and with their tokens never counted.
        var (key, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("overflow", "test", [], new KeyLimits(null, null, 100_000));
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var now = DateTimeOffset.UtcNow;
        // Tomorrow's too: the request may land after midnight.
        foreach (var day in (DateTimeOffset[])[now, now.AddDays(1)])
        {
            await store.Database.StringSetAsync($"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:{day:yyyyMMdd}", long.MaxValue, TimeSpan.FromMinutes(10));
        }

        using var client = env.Gateway.CreateClient(secret);
        var tag = OpenAiClients.NewTag();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.InternalServerError, "store_error");
        Assert.Equal("api_error", error.GetProperty("type").GetString());
        Assert.Null(response.Headers.RetryAfter);
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task With_fail_open_off_and_the_store_down_a_key_with_limits_gets_a_retryable_503_about_its_budget()
    {
        await using var outage = RelayedStore.Start();
        var settings = outage.GatewaySettings(env);
        settings["Gateway:Budgets:FailOpen"] = "false";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("fail-closed", "test", [], new KeyLimits(1m, null, null));
        using var client = gateway.CreateClient(secret);
        const string body = """{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""";

        // Seen once while the store answers: the key is then known without it, so what the outage refuses is the budget.
        using (var first = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var store = gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));
        using var refused = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "store_unavailable");
        Assert.Contains("budget", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("verify API keys", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
    }
}
