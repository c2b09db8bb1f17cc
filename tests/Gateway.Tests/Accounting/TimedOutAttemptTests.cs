using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// An attempt the gateway times out is not an attempt the provider dropped: it has the whole request and goes on to
/// answer and bill it. So each such attempt is billed to the key (the prompt, plus the output cap for a JSON answer),
/// whether the request is then answered by a retry or ends in the gateway's 504. Otherwise a key could ask for long
/// answers that outlast the timeout and have every attempt paid by the operators.
/// </summary>
public sealed class TimedOutAttemptTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, 80L)]
    [InlineData(true, 0L)]
    public async Task Every_attempt_that_timed_out_is_billed_even_when_the_request_ends_in_a_504(bool stream, long expectedOutput)
    {
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("timed-out", "test", []);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream, tag, ("x-mock-ttfb-ms", "3000"));

        using var response = await client.SendAsync(request, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        Assert.Equal(2, env.Received.ForTag(tag).Count);
        Assert.Equal("2", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        Assert.Equal(expectedOutput.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Gateway-Output-Tokens").Single());

        var row = await UsageRowAsync(gateway, record.Id);
        var input = row.GetProperty("input_tokens").GetInt64();
        Assert.True(input > 0 && input % 2 == 0, row.ToString());
        Assert.Equal(expectedOutput, row.GetProperty("output_tokens").GetInt64());
        Assert.True(row.GetProperty("cost_usd").GetDecimal() > 0, row.ToString());
    }

    [Fact]
    public async Task A_timed_out_attempt_before_the_answer_is_billed_beside_it()
    {
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("timed-out-then-answered", "test", []);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream: false, tag, ("x-mock-schedule", "slow:3000,ok"));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("[attempt 2]", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        Assert.Equal("reported", response.Headers.GetValues("X-Gateway-Usage-Source").Single());

        // The answer's reported output, plus the first attempt's output cap.
        var row = await UsageRowAsync(gateway, record.Id);
        Assert.True(row.GetProperty("output_tokens").GetInt64() > 40, row.ToString());
        Assert.Equal(long.Parse(response.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture), row.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task A_key_with_limits_gets_no_second_attempt_after_one_the_provider_goes_on_with()
    {
        // Its reservation covers one attempt: a retry (or a fallback) would be billed past the limit before anything
        // checked it. The client's own retry goes through the budget again.
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("timed-out-limited", "test", [], new KeyLimits(10m, null, null));
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream: false, tag, ("x-mock-schedule", "slow:3000,ok"));

        using var response = await client.SendAsync(request, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        Assert.Single(env.Received.ForTag(tag));
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        var row = await UsageRowAsync(gateway, record.Id);
        Assert.Equal(40, row.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task A_held_answer_the_provider_cut_mid_body_is_billed_and_not_retried_for_a_key_with_limits()
    {
        // YARP answers a body that failed before any byte reached the client with its own 502: the provider's 200 must
        // still be what tells that it generated (and bills) the answer.
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("cut-mid-body-limited", "test", [], new KeyLimits(10m, null, null));
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream: false, tag, ("x-mock-body-cut-after", "20"));

        using var response = await client.SendAsync(request, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "upstream_response_cut");
        Assert.Single(env.Received.ForTag(tag));
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        var row = await UsageRowAsync(gateway, record.Id);
        Assert.Equal(40, row.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task Every_held_answer_the_provider_cut_mid_body_is_billed_when_the_request_is_retried()
    {
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("cut-mid-body", "test", []);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream: false, tag, ("x-mock-body-cut-after", "20"));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(2, env.Received.ForTag(tag).Count);
        Assert.Equal("2", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        var row = await UsageRowAsync(gateway, record.Id);
        Assert.Equal(80, row.GetProperty("output_tokens").GetInt64());
    }

    [Theory]
    [InlineData(false, 400)]
    [InlineData(true, 400)]
    [InlineData(false, 500)]
    public async Task A_provider_error_passed_through_after_a_timed_out_attempt_carries_that_attempts_bill(bool stream, int status)
    {
        // The client gets the provider's own error, and its key pays for the attempt before it: the headers say so,
        // as they do beside an answer or on the gateway's 504.
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("timed-out-then-refused", "test", []);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream, tag, ("x-mock-schedule", $"slow:3000,{status}"));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(2, env.Received.ForTag(tag).Count);
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        var expectedOutput = stream ? 0L : 40L;
        Assert.Equal(expectedOutput.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Gateway-Output-Tokens").Single());
        var row = await UsageRowAsync(gateway, record.Id);
        Assert.Equal(expectedOutput, row.GetProperty("output_tokens").GetInt64());
        Assert.True(row.GetProperty("cost_usd").GetDecimal() > 0, row.ToString());
    }

    [Fact]
    public async Task A_held_error_labelled_an_event_stream_keeps_its_body_when_it_carries_the_bill()
    {
        // The stream's end flushes what an event stream's stripping held: the error kept as the answer is not one.
        await using var gateway = await StartAsync();
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("timed-out-then-sse-error", "test", []);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream: true, tag, ("x-mock-schedule", "slow:3000,503"), ("x-mock-response-headers", """{"Content-Type":"text/event-stream"}"""));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Abandoned-Attempts").Single());
        Assert.Contains("injected HTTP 503", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_error_retried_is_not_billed()
    {
        // The provider generated nothing for its own 503: nothing to bill, however many attempts.
        await using var gateway = await StartAsync();
        var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("errored", "test", []);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(secret);
        using var request = Chat(stream: false, tag, ("x-mock-schedule", "503,ok"));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Gateway-Abandoned-Attempts"));
        var row = await UsageRowAsync(gateway, record.Id);
        Assert.Equal(long.Parse(response.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture), row.GetProperty("output_tokens").GetInt64());
    }

    private Task<GatewayHost> StartAsync()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:Resilience:FirstByteTimeoutMs"] = "300";
        settings["Gateway:Providers:mock:Resilience:MaxAttempts"] = "2";
        return GatewayHost.StartAsync(settings);
    }

    private static async Task<System.Text.Json.JsonElement> UsageRowAsync(GatewayHost gateway, string keyId)
    {
        using var viewer = new AdminClient(gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={keyId}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(10));
        return Assert.Single(rows.Json.EnumerateArray());
    }

    private static HttpRequestMessage Chat(bool stream, string tag, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"max_tokens":40,"messages":[{"role":"user","content":"a long answer please"}]}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }
}
