using System.Net;
using System.Text;
using LlmGateway.MockProvider;
using LlmGateway.Providers;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Telemetry;

/// <summary>
/// With tracing off, ASP.NET Core makes no Activity per request (its hosting logger is off), and a client's W3C trace
/// context still reaches the provider. The end-to-end checks hold with or without an Activity, since another test's
/// tracing gateway in this process may make ASP.NET Core create them for every host while it runs.
/// </summary>
[Collection(TracingListenersIsolation.Name)]
public sealed class TraceContextTests(TestEnvironment env)
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientParent = "00-" + TraceId + "-b7ad6b7169203331-01";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--Gateway:Telemetry:Tracing=true" }, true)]
    [InlineData(new[] { "--Logging:LogLevel:" + HostingDiagnostics + "=Information" }, true)]
    public async Task The_hosting_logger_that_makes_a_request_activity_is_off_unless_tracing_is_on_or_it_is_configured(string[] args, bool on)
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), builder => builder.Logging.AddProvider(logs), args);

        var logger = gateway.GetRequiredService<ILoggerFactory>().CreateLogger(HostingDiagnostics);

        Assert.Equal(on, logger.IsEnabled(LogLevel.Critical));
        // Other categories are untouched.
        Assert.True(gateway.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Critical));
    }

    [Fact]
    public async Task A_clients_trace_context_reaches_the_provider()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(tag, ("traceparent", ClientParent), ("tracestate", "vendor=abc"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = env.Received.ForTag(tag).Single();
        // The same trace: the client's span as the parent (no Activity), or the gateway's child of it.
        Assert.True(received.Headers.TryGetValue("traceparent", out var parent), "no traceparent reached the provider");
        Assert.Equal(TraceId, parent.Split('-')[1]);
        Assert.Equal("vendor=abc", received.Headers.GetValueOrDefault("tracestate"));
    }

    [Fact]
    public async Task With_tracing_on_a_clients_baggage_does_not_reach_the_provider_and_its_trace_context_does()
    {
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), "--Gateway:Telemetry:Tracing=true");
        var tag = OpenAiClients.NewTag();

        // A client that sends its headers as given: this process's tracing listeners would have HttpClient's own
        // propagator write a trace context of the test's.
        var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = gateway.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", env.ApiKey);
        using var response = await SendAsync(
            client,
            tag,
            ("traceparent", ClientParent),
            ("tracestate", "vendor=abc"),
            ("baggage", "user.id=alice"),
            ("Correlation-Context", "tenant=acme"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = env.Received.ForTag(tag).Single().Headers;
        Assert.True(headers.TryGetValue("traceparent", out var parent), "no traceparent reached the provider");
        Assert.Equal(TraceId, parent.Split('-')[1]);
        // Baggage is the client's to the gateway, not the gateway's to the provider (README: only allow-listed headers).
        Assert.DoesNotContain(headers.Keys, name => name.Equals("baggage", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Correlation-Context", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("alice", string.Join('\n', headers.Values), StringComparison.Ordinal);
        Assert.Equal("vendor=abc", headers.GetValueOrDefault("tracestate"));
    }

    [Fact]
    public async Task A_malformed_trace_context_is_not_passed_on()
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(tag, ("traceparent", "00-not-a-trace-" + new string('x', 200)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = env.Received.ForTag(tag).Single();
        Assert.DoesNotContain("not-a-trace", received.Headers.GetValueOrDefault("traceparent") ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ClientParent, "vendor=abc", ClientParent, "vendor=abc")]
    [InlineData(ClientParent, null, ClientParent, null)]
    [InlineData("00-" + TraceId + "-b7ad6b7169203331", "vendor=abc", null, null)]
    [InlineData("garbage", null, null, null)]
    [InlineData(ClientParent, "over-long", ClientParent, null)]
    public void Only_a_w3c_trace_context_is_copied(string parent, string? state, string? expectedParent, string? expectedState)
    {
        var client = new HeaderDictionary { ["traceparent"] = parent };
        if (state is not null)
        {
            client["tracestate"] = state == "over-long" ? "v=" + new string('a', 600) : state;
        }

        using var upstream = new HttpRequestMessage();
        ProviderRequestTransform.PassOnTraceContext(client, upstream.Headers);

        Assert.Equal(expectedParent, upstream.Headers.TryGetValues("traceparent", out var p) ? p.Single() : null);

        Assert.Equal(expectedState, upstream.Headers.TryGetValues("tracestate", out var s) ? s.Single() : null);
    }

    [Fact]
    public void A_traceparent_the_providers_allow_list_already_forwarded_is_not_added_twice()
    {
        var client = new HeaderDictionary { ["traceparent"] = ClientParent, ["tracestate"] = "vendor=abc" };
        using var upstream = new HttpRequestMessage();
        upstream.Headers.TryAddWithoutValidation("traceparent", ClientParent);
        upstream.Headers.TryAddWithoutValidation("tracestate", "vendor=abc");

        ProviderRequestTransform.PassOnTraceContext(client, upstream.Headers);

        Assert.Equal([ClientParent], upstream.Headers.GetValues("traceparent"));
        Assert.Equal(["vendor=abc"], upstream.Headers.GetValues("tracestate"));
    }

    private async Task<HttpResponseMessage> SendAsync(string tag, params (string Name, string Value)[] headers)
    {
        return await SendAsync(env.Gateway.CreateClient(env.ApiKey), tag, headers);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient owned, string tag, params (string Name, string Value)[] headers)
    {
        using var client = owned;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
