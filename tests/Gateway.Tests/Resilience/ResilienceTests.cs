using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace LlmGateway.Tests.Resilience;

/// <summary>
/// Provider faults from the mock's knobs, through the official OpenAI SDK (its own retries off)
/// where a client is involved, and raw HTTP where the SSE bytes themselves are the point.
/// </summary>
public sealed class ResilienceTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_429_with_retry_after_1_is_retried_once_and_the_client_sees_200()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag), ("x-mock-schedule", "429,ok"), ("x-mock-retry-after", "1")).GetChatClient("gpt-4o-mini");

        var result = await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);

        var raw = result.GetRawResponse();
        Assert.Equal(200, raw.Status);
        Assert.Equal("2", Header(raw, "X-Gateway-Attempts"));
        Assert.StartsWith("[attempt 2]", result.Value.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal(2, env.Received.ForTag(tag).Count);
    }

    [Fact]
    public async Task Two_500s_then_success_is_served_within_the_retry_budget()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag), ("x-mock-schedule", "500,500,ok")).GetChatClient("gpt-4o-mini");

        var result = await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);

        Assert.Equal("3", Header(result.GetRawResponse(), "X-Gateway-Attempts"));
        Assert.StartsWith("[attempt 3]", result.Value.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal(3, env.Received.ForTag(tag).Count);
        // Only the served attempt is billed.
        Assert.NotEqual("unknown", Header(result.GetRawResponse(), "X-Gateway-Cost-USD"));
    }

    [Fact]
    public async Task A_500_beyond_the_budget_reaches_the_client_as_the_providers_last_500()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag), ("x-mock-schedule", "500")).GetChatClient("gpt-4o-mini");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(500, error.Status);
        var raw = error.GetRawResponse()!;
        Assert.Equal("3", Header(raw, "X-Gateway-Attempts"));
        using var body = JsonDocument.Parse(raw.Content.ToString());
        Assert.Contains("mock provider injected HTTP 500", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, env.Received.ForTag(tag).Count);
    }

    [Theory]
    [InlineData("gpt-4o-mini", "x-mock-error-cut-after", HttpStatusCode.BadGateway, "upstream_unavailable")]
    // stall-model's idle timeout (300 ms) ends each stall.
    [InlineData("stall-model", "x-mock-error-stall-after", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    public async Task A_retryable_error_whose_body_is_cut_or_stalls_on_every_attempt_ends_in_the_gateways_error_not_the_providers_bytes(
        string model, string knob, HttpStatusCode status, string code)
    {
        // Each 503's body fails after 20 bytes: YARP replaces the held answer with its bare 502, headers cleared. Retried
        // like a connection failure or a timeout; after the last, the client gets the gateway's error and headers.
        var tag = OpenAiClients.NewTag();
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = Chat(model, tag, ("x-mock-status", "503"), (knob, "20"), ("X-Request-Id", "req-cut-error"));

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, status, code);
        Assert.DoesNotContain("mock provider", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("req-cut-error", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("3", response.Headers.GetValues("X-Gateway-Attempts").Single());
        Assert.Equal(model, response.Headers.GetValues("X-Gateway-Served-Model").Single());
        Assert.Equal(3, env.Received.ForTag(tag).Count);
    }

    [Fact]
    public async Task A_429_with_a_body_past_the_held_cap_is_answered_in_the_gateways_words()
    {
        // 70 KB: past the 64 KB an error is held with; a Retry-After past the cap, so it is not retried.
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = Chat("gpt-4o-mini", OpenAiClients.NewTag(), ("x-mock-status", "429"), ("x-mock-retry-after", "30"), ("x-mock-error-padding", "70000"));

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Contains("rate limiting the gateway", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task A_400_from_the_provider_is_passed_through_and_never_retried()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag), ("x-mock-schedule", "400,ok")).GetChatClient("gpt-4o-mini");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(400, error.Status);
        Assert.Equal("1", Header(error.GetRawResponse()!, "X-Gateway-Attempts"));
        Assert.Single(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task Connection_refused_on_the_primary_is_served_by_the_fallback_and_billed_at_its_price()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag)).GetChatClient("fallback-model");

        var result = await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);

        var raw = result.GetRawResponse();
        Assert.Equal(200, raw.Status);
        Assert.Equal("gpt-4o-mini", Header(raw, "X-Gateway-Served-Model"));
        var received = Assert.Single(env.Received.ForTag(tag));
        Assert.Contains("\"model\":\"gpt-4o-mini\"", received.Body, StringComparison.Ordinal);

        // gpt-4o (the primary's upstream model) has no price here; the fallback's is 0.15/0.60 per million.
        var input = long.Parse(Header(raw, "X-Gateway-Input-Tokens")!, System.Globalization.CultureInfo.InvariantCulture);
        var output = long.Parse(Header(raw, "X-Gateway-Output-Tokens")!, System.Globalization.CultureInfo.InvariantCulture);
        var expected = ((input * 0.15m) + (output * 0.60m)) / 1_000_000m;
        Assert.Equal(expected, decimal.Parse(Header(raw, "X-Gateway-Cost-USD")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_stream_cut_after_3_chunks_is_not_retried_ends_with_an_error_event_and_bills_the_3_chunks()
    {
        var tag = OpenAiClients.NewTag();
        var (status, sse) = await StreamAsync("gpt-4o-mini", tag, ("x-mock-chunks", "6"), ("x-mock-cut-after", "3"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(env.Received.ForTag(tag));
        Assert.Equal(3, Events(sse).Count(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0
            && c[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 }));
        var error = Events(sse).Last().GetProperty("error");
        Assert.Equal("upstream_stream_cut", error.GetProperty("code").GetString());
        Assert.DoesNotContain("data: [DONE]", sse, StringComparison.Ordinal);

        var usage = Usage(sse);
        Assert.True(usage.GetProperty("cut").GetBoolean());
        Assert.Equal("estimated", usage.GetProperty("source").GetString());
        var text = string.Concat(Events(sse).Where(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""));
        var tokens = env.Gateway.GetRequiredService<LlmGateway.Accounting.TokenizerRegistry>().Count(text, "o200k_base");
        Assert.Equal(tokens, usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task A_stream_cut_mid_line_hands_the_client_whole_events_and_then_the_error()
    {
        // The gateway strips the usage chunk it asked for, so it holds each short line until its event ends: the half
        // line the provider left is the gateway's to drop, and the client's parser never sees JSON cut short.
        var tag = OpenAiClients.NewTag();
        var (status, sse) = await StreamAsync("gpt-4o-mini", tag, ("x-mock-chunks", "6"), ("x-mock-cut-after", "3"), ("x-mock-cut-mid-line", "true"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("mock-cut", sse, StringComparison.Ordinal);
        var events = Events(sse).ToList();
        Assert.Equal("upstream_stream_cut", events[^1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(3, events.Count(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0
            && c[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 }));
        Assert.True(Usage(sse).GetProperty("cut").GetBoolean());
    }

    [Fact]
    public async Task A_stream_that_stalls_past_the_idle_timeout_ends_like_a_cut()
    {
        var tag = OpenAiClients.NewTag();
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        try
        {
            var (status, sse) = await StreamAsync("stall-model", tag, ("x-mock-chunks", "4"), ("x-mock-hold", hold));

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Single(env.Received.ForTag(tag));
            var error = Events(sse).Last().GetProperty("error");
            Assert.Equal("upstream_stream_stalled", error.GetProperty("code").GetString());
            var usage = Usage(sse);
            Assert.True(usage.GetProperty("cut").GetBoolean());
            Assert.True(usage.GetProperty("output_tokens").GetInt32() > 0);
        }
        finally
        {
            using var client = new HttpClient { BaseAddress = env.MockUrl };
            await client.PostAsync($"/mock/release/{hold}", null, Ct);
        }
    }

    [Theory]
    [InlineData("hang", false)]
    [InlineData("reset", false)]
    [InlineData("hang", true)]
    [InlineData("reset", true)]
    public async Task A_whole_stream_whose_connection_then_stalls_or_breaks_is_whole_for_the_client_and_the_bill(string afterEnd, bool unfinished)
    {
        // [DONE] came: the client has the answer. An error event after it (which an SDK raises), a cut bill, and a
        // failure for the breaker would all be wrong. So too when the blank line after its whole line never came.
        var tag = OpenAiClients.NewTag();
        var (status, sse) = await StreamAsync("stall-model", tag, ("x-mock-chunks", "4"), ("x-mock-after-end", afterEnd), ("x-mock-end-unfinished", unfinished ? "true" : "false"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data: [DONE]", sse, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", sse, StringComparison.Ordinal);
        var usage = Usage(sse);
        Assert.False(usage.TryGetProperty("cut", out var cut) && cut.GetBoolean(), usage.ToString());
        Assert.Equal("reported", usage.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("hang", false, false)]
    [InlineData("reset", false, false)]
    [InlineData("hang", true, false)]
    [InlineData("reset", true, false)]
    [InlineData("hang", false, true)]
    [InlineData("reset", false, true)]
    [InlineData("hang", true, true)]
    [InlineData("reset", true, true)]
    public async Task A_whole_stream_that_loses_only_its_done_then_stalls_or_breaks_is_whole_for_the_client_and_the_bill(string afterEnd, bool clientAsksUsage, bool unfinished)
    {
        // Every chunk came, the finish chunk and the include_usage chunk (the last before [DONE], as OpenAI documents it),
        // then the connection stalled or broke: the answer is whole. No error event, no cut bill, no failed request, and
        // the provider's own count, not the estimate. Whether the client asked for the usage chunk or the gateway did, and
        // whether the usage chunk's blank line came or only its whole line did.
        var (record, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("no-done", "test", []);
        using var client = env.Gateway.CreateClient(secret);
        var options = clientAsksUsage ? ""","stream_options":{"include_usage":true}""" : "";
        var body = $$"""{"model":"stall-model","stream":true{{options}},"messages":[{"role":"user","content":"tell me"}]}""";
        using var reference = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        reference.Headers.Add("x-mock-chunks", "4");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-mock-chunks", "4");
        request.Headers.Add("x-mock-no-done", "true");
        request.Headers.Add("x-mock-after-end", afterEnd);
        request.Headers.Add("x-mock-end-unfinished", unfinished ? "true" : "false");

        using var whole = await client.SendAsync(reference, HttpCompletionOption.ResponseHeadersRead, Ct);
        var expected = Usage(await whole.Content.ReadAsStringAsync(Ct));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var sse = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("data: [DONE]", sse, StringComparison.Ordinal);
        Assert.DoesNotContain("upstream_stream_", sse, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", sse, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"stop\"", sse, StringComparison.Ordinal);
        var usage = Usage(sse);
        Assert.False(usage.TryGetProperty("cut", out var cut) && cut.GetBoolean(), usage.ToString());
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.Equal(
            (expected.GetProperty("input_tokens").GetInt64(), expected.GetProperty("output_tokens").GetInt64()),
            (usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64()));
        if (clientAsksUsage)
        {
            var chunk = Events(sse).Single(e => e.GetProperty("choices").GetArrayLength() == 0).GetProperty("usage");
            Assert.Equal(chunk.GetProperty("completion_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64());
        }

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={record.Id}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 2,
            TimeSpan.FromSeconds(10));
        Assert.Equal(0, Assert.Single(rows.Json.EnumerateArray()).GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task A_client_that_stops_reading_longer_than_the_idle_and_first_byte_timeouts_gets_the_whole_stream()
    {
        // The provider streams fast; the client takes nothing while it writes a 1 MB line and then 40 chunks 100 ms
        // apart (4 s, well past first byte + idle + 1 s = 2 s). The gateway's write waits on the client all that time:
        // the client's wait, never the provider's silence, and within the total (10 s). Small socket buffers on both
        // sides of the client's connection make that backpressure real.
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:stall:Resilience:FirstByteTimeoutMs"] = "1000";
        settings["Gateway:Providers:stall:Resilience:IdleTimeoutMs"] = "500";
        settings["Gateway:Providers:stall:Resilience:TotalTimeoutMs"] = "10000";
        await using var gateway = await GatewayHost.StartAsync(settings, builder =>
            builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(options =>
                options.CreateBoundListenSocket = endpoint =>
                {
                    // Accepted connections inherit it: the gateway's send buffer cannot grow to hold the stream.
                    var socket = Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                    socket.SendBufferSize = 8 * 1024;
                    return socket;
                }));
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 8 * 1024, NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = gateway.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", env.ApiKey);
        var tag = OpenAiClients.NewTag();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"stall-model","stream":true,"messages":[{"role":"user","content":"tell me"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        request.Headers.Add("x-mock-chunks", "41");
        request.Headers.Add("x-mock-chunk-delay-ms", "100");
        request.Headers.Add("x-mock-long-line", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        // Not a byte more is read until the provider has written its whole answer (the served attempt is the last).
        await env.Received.ForTag(tag)[^1].Finished.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var sse = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"error\"", sse, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", sse, StringComparison.Ordinal);
        Assert.Equal(41, Events(sse).Count(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0
            && c[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 }));
        var usage = Usage(sse);
        Assert.False(usage.TryGetProperty("cut", out var cut) && cut.GetBoolean(), usage.ToString());
        Assert.Equal("reported", usage.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("hang")]
    [InlineData("reset")]
    public async Task A_responses_stream_whose_completed_event_lacks_its_blank_line_when_it_stalls_or_breaks_is_whole(string afterEnd)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("""{"model":"stall-model","stream":true,"input":"tell me"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-after-end", afterEnd);
        request.Headers.Add("x-mock-end-unfinished", "true");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var sse = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"type\":\"response.completed\"", sse, StringComparison.Ordinal);
        // The response object has its own "error": null; the gateway's error event would say what ended the stream.
        Assert.DoesNotContain("upstream_stream_", sse, StringComparison.Ordinal);
        var usage = Usage(sse);
        Assert.False(usage.TryGetProperty("cut", out var cut) && cut.GetBoolean(), usage.ToString());
        Assert.Equal("reported", usage.GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_whole_stream_whose_connection_then_stalls_is_no_failure_for_the_breaker()
    {
        // One failure would open this provider's circuit: the next request would get 503 upstream_unhealthy.
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:stall:Resilience:FailureThreshold"] = "1";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        foreach (var afterEnd in new[] { "hang", "reset", "hang" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"stall-model","stream":true,"messages":[{"role":"user","content":"tell me"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-mock-after-end", afterEnd);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("data: [DONE]", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_provider_error_inside_a_200_stream_counts_as_a_failed_request()
    {
        // The error event reaches the client as the provider sent it; the key's usage counts an error, not a success
        // (and so does the rollout's error rate, which reads the same counters).
        var (record, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("stream-error", "test", []);
        using var client = env.Gateway.CreateClient(secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"tell me"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-chunks", "4");
        request.Headers.Add("x-mock-error-after", "2");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var sse = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("server_error", Events(sse).Single(e => e.TryGetProperty("error", out _)).GetProperty("error").GetProperty("type").GetString());
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={record.Id}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(10));
        Assert.Equal(1, Assert.Single(rows.Json.EnumerateArray()).GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task A_first_byte_timeout_is_retried_and_then_answered_with_504()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:Resilience:FirstByteTimeoutMs"] = "300";
        settings["Gateway:Providers:mock:Resilience:MaxAttempts"] = "2";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var tag = OpenAiClients.NewTag();
        using var client = gateway.CreateClient(env.ApiKey);
        using var request = Chat("gpt-4o-mini", tag, ("x-mock-ttfb-ms", "2000"));

        using var response = await client.SendAsync(request, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        Assert.Equal("2", response.Headers.GetValues("X-Gateway-Attempts").Single());
        Assert.Equal(2, env.Received.ForTag(tag).Count);
    }

    [Fact]
    public async Task First_byte_timeouts_while_the_provider_answers_others_do_not_open_its_circuit()
    {
        // Long answers not streamed send nothing until they are whole: a few sent at once by one client timed out
        // together and opened the circuit for everyone, though the provider went on answering.
        await using var gateway = await TimeoutGatewayAsync(firstByteMs: 4000);
        using var client = gateway.CreateClient(env.ApiKey);

        var slow = await SlowRequestsAsync(client, count: 3, ttfbMs: 20_000);
        // Three answers meanwhile: each excuses one timeout.
        await AnsweredAsync(client, 3);

        Assert.All(await Task.WhenAll(slow), status => Assert.Equal(HttpStatusCode.GatewayTimeout, status));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));
    }

    [Fact]
    public async Task Each_answer_excuses_one_first_byte_timeout_so_a_provider_answering_few_still_opens_its_circuit()
    {
        await using var gateway = await TimeoutGatewayAsync(firstByteMs: 4000);
        using var client = gateway.CreateClient(env.ApiKey);

        // Answers before the timeouts' attempts began excuse none of them.
        await AnsweredAsync(client, 5);
        var slow = await SlowRequestsAsync(client, count: 4, ttfbMs: 20_000);
        await AnsweredAsync(client, 1);

        Assert.All(await Task.WhenAll(slow), status => Assert.Equal(HttpStatusCode.GatewayTimeout, status));
        // One of the four excused, three counted: the threshold.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(client));
    }

    [Fact]
    public async Task First_byte_timeouts_of_a_provider_that_answers_no_one_open_its_circuit()
    {
        await using var gateway = await TimeoutGatewayAsync(firstByteMs: 300);
        using var client = gateway.CreateClient(env.ApiKey);

        var slow = await Task.WhenAll(await SlowRequestsAsync(client, count: 3, ttfbMs: 2000));
        using var after = Chat("gpt-4o-mini", OpenAiClients.NewTag());
        using var next = await client.SendAsync(after, Ct);

        Assert.All(slow, status => Assert.Equal(HttpStatusCode.GatewayTimeout, status));
        await ErrorAssertions.AssertOpenAiErrorAsync(next, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
    }

    /// <summary>A gateway whose mock provider times out at <paramref name="firstByteMs"/>, one attempt, circuit at 3 failures.</summary>
    private Task<GatewayHost> TimeoutGatewayAsync(int firstByteMs)
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:Resilience:FirstByteTimeoutMs"] = firstByteMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Providers:mock:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Providers:mock:Resilience:FailureThreshold"] = "3";
        return GatewayHost.StartAsync(settings);
    }

    /// <summary>Sends <paramref name="count"/> requests the mock answers after <paramref name="ttfbMs"/>; returns once the mock has them all.</summary>
    private async Task<List<Task<HttpStatusCode>>> SlowRequestsAsync(HttpClient client, int count, int ttfbMs)
    {
        var tag = OpenAiClients.NewTag();
        var sent = Enumerable.Range(0, count).Select(async _ =>
        {
            using var request = Chat("gpt-4o-mini", tag, ("x-mock-ttfb-ms", ttfbMs.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            using var response = await client.SendAsync(request, Ct);
            return response.StatusCode;
        }).ToList();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(env.Received.ForTag(tag).Count == count), TimeSpan.FromSeconds(10)));
        return sent;
    }

    private static async Task AnsweredAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var request = Chat("gpt-4o-mini", OpenAiClients.NewTag());
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private async Task<(HttpStatusCode Status, string Sse)> StreamAsync(string model, string tag, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":true,"messages":[{"role":"user","content":"tell me"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static HttpRequestMessage Chat(string model, string tag, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    internal static IEnumerable<JsonElement> Events(string sse) =>
        sse.Split('\n')
            .Where(line => line.StartsWith("data: {", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line["data: ".Length..]).RootElement);

    private static JsonElement Usage(string sse) =>
        JsonDocument.Parse(sse.Split('\n').Single(line => line.StartsWith(": gateway-usage ", StringComparison.Ordinal))[": gateway-usage ".Length..]).RootElement;

    private static string? Header(System.ClientModel.Primitives.PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value : null;
}
