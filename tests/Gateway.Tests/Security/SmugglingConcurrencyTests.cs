using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// <c>Gateway:Proxy:MaxConcurrentRequestsPerKey</c> caps the requests one key has in flight (streams included, until
/// they end): one more gets 429 <c>rate_limit_exceeded</c> in OpenAI's shape at once, other keys are unaffected,
/// and the slot comes back when a request ends.
/// </summary>
public sealed class SmugglingConcurrencyTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_past_its_concurrency_limit_gets_429_until_one_of_its_requests_ends()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxConcurrentRequestsPerKey"] = "2";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var (_, busySecret) = await keys.CreateAsync("concurrency", "test", []);
        var (_, otherSecret) = await keys.CreateAsync("concurrency-other", "test", []);
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        using var client = gateway.CreateClient(busySecret);
        using var other = gateway.CreateClient(otherSecret);

        try
        {
            // Two streams parked by the provider after their first chunk: both slots taken.
            using var first = await SendAsync(client, stream: true, hold);
            using var second = await SendAsync(client, stream: true, hold);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);

            using (var third = await SendAsync(client, stream: false, hold: null))
            {
                var error = await ErrorAssertions.AssertOpenAiErrorAsync(third, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
                Assert.Equal("requests", error.GetProperty("type").GetString());
                Assert.True(third.Headers.RetryAfter is not null, "a Retry-After tells the client when to come back");
            }

            // Another key is not held back by this one.
            using (var otherKey = await SendAsync(other, stream: false, hold: null))
            {
                Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
            }

            await ReleaseAsync(hold);
            await first.Content.ReadAsStringAsync(Ct);
            await second.Content.ReadAsStringAsync(Ct);

            // The slots come back as the streams end (just after their last byte).
            using var again = await Eventually.ResultAsync(() => SendAsync(client, stream: false, hold: null), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(5));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        finally
        {
            await ReleaseAsync(hold);
        }
    }

    [Fact]
    public async Task A_body_that_stalls_after_its_first_bytes_is_answered_408_and_gives_its_place_back()
    {
        // Kestrel's minimum upload rate averages from the body's start: half a megabyte at once would buy this stall
        // more than half an hour. The body's deadline cuts it, and the key's only place is free again.
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxConcurrentRequestsPerKey"] = "1";
        settings["Gateway:Proxy:RequestBodyTimeout"] = "00:00:01";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("stalled-body", "test", []);

        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(gateway.BaseUrl.Host, gateway.BaseUrl.Port, Ct);
        var stream = tcp.GetStream();
        var sent = new string('a', 512 * 1024);
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {gateway.BaseUrl.Authority}\r\nAuthorization: Bearer {secret}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {sent.Length * 2}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + sent), Ct);

        // Read until the answer's head and body are in (the server closes the connection after it); bounded, so a gateway
        // that never answers fails the test instead of hanging it.
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        int read;
        while ((read = await stream.ReadAsync(buffer, bound.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            if (answer.ToString().Contains("\"request_timeout\"", StringComparison.Ordinal))
            {
                break;
            }
        }

        var text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 408", text, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"invalid_request_error\"", text, StringComparison.Ordinal);
        Assert.Contains("RequestBodyTimeout", text, StringComparison.Ordinal);
        // The place comes back as the refusal's write returns, which may be just after the client has read it.
        using var client = gateway.CreateClient(secret);
        using var next = await Eventually.ResultAsync(() => SendAsync(client, stream: false, hold: null), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_key_at_a_limit_of_one_can_send_its_next_request_the_moment_it_has_the_previous_answer(bool stream)
    {
        // The place is given back before the response ends, not after: no retry, no waiting, every time.
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxConcurrentRequestsPerKey"] = "1";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("concurrency-one", "test", []);
        using var client = gateway.CreateClient(secret);

        for (var i = 0; i < 20; i++)
        {
            using var response = await SendAsync(client, stream, hold: null);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i}: {(int)response.StatusCode} {body}");
        }
    }

    [Fact]
    public async Task A_client_that_hangs_up_on_a_non_streamed_request_keeps_its_place_taken_until_that_attempts_deadline()
    {
        // The provider goes on generating a JSON answer whose client left: were the place given back at once, a key
        // capped at one that hangs up on every request would keep any number of generations running.
        var total = TimeSpan.FromSeconds(5);
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxConcurrentRequestsPerKey"] = "1";
        settings["Gateway:Models:gpt-4o-mini:Resilience:TotalTimeoutMs"] = ((int)total.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("hang-up", "test", []);
        using var client = gateway.CreateClient(secret);
        var tag = OpenAiClients.NewTag();

        // Started before the request is sent: its attempt's deadline is at least the total timeout from here.
        var sent = System.Diagnostics.Stopwatch.StartNew();
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var abandoned = SendAsync(client, stream: false, hold: null, tag, hang: true, hangUp.Token);
        // The provider records a request once it has read it whole.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(env.Received.ForTag(tag).Count == 1), TimeSpan.FromSeconds(10)));
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        // The gateway gave up the upstream call: it has seen the client leave, and the request is ending.
        await env.Received.ForTag(tag)[0].Finished.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        using (var refused = await SendAsync(client, stream: false, hold: null))
        {
            await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        }

        using var admitted = await Eventually.ResultAsync(() => SendAsync(client, stream: false, hold: null), r => r.StatusCode == HttpStatusCode.OK, total * 3);
        var admittedAfter = sent.Elapsed;
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        // Not before the abandoned attempt's deadline (a timer may fire a few milliseconds early).
        Assert.True(admittedAfter >= total - TimeSpan.FromMilliseconds(50), $"the place came back {admittedAfter.TotalMilliseconds} ms after the request was sent, before its {total.TotalMilliseconds} ms deadline");
    }

    [Fact]
    public async Task A_request_a_retry_answered_after_a_timed_out_attempt_gives_its_place_back_at_once()
    {
        // The timed-out first attempt's provider goes on with it (it had the whole request), but the client was served:
        // holding the key's place until that attempt's deadline would refuse a well-behaved key for a provider's slowdown.
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxConcurrentRequestsPerKey"] = "1";
        settings["Gateway:Providers:mock:Resilience:FirstByteTimeoutMs"] = "300";
        settings["Gateway:Providers:mock:Resilience:MaxAttempts"] = "2";
        settings["Gateway:Models:gpt-4o-mini:Resilience:TotalTimeoutMs"] = "60000";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("retried", "test", []);
        using var client = gateway.CreateClient(secret);

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        })
        {
            request.Headers.Add("x-mock-tag", OpenAiClients.NewTag());
            request.Headers.Add("x-mock-schedule", "slow:3000,ok");
            using var answered = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Equal("1", answered.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        }

        // At once, not after the abandoned attempt's 60 s deadline.
        using var next = await SendAsync(client, stream: false, hold: null);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, bool stream, string? hold) =>
        SendAsync(client, stream, hold, tag: null, hang: false, Ct);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, bool stream, string? hold, string? tag, bool hang, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag ?? OpenAiClients.NewTag());
        if (hold is not null)
        {
            request.Headers.Add("x-mock-hold", hold);
        }

        if (hang)
        {
            request.Headers.Add("x-mock-hang", "true");
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
    }

    private async Task ReleaseAsync(string hold)
    {
        using var mock = new HttpClient { BaseAddress = env.MockUrl };
        (await mock.PostAsync($"/mock/release/{hold}", null, Ct)).Dispose();
    }
}
