using System.Diagnostics;
using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace LlmGateway.Tests.Telemetry;

/// <summary>The gateway's span per LLM call, read from an in-memory OpenTelemetry exporter.</summary>
[Collection(TracingListenersIsolation.Name)]
public sealed class GenAiSpanTests(TestEnvironment env)
{
    // On the command line, not in the settings: whether a tracer exists at all is decided while the services are
    // registered, before the test host adds its settings.
    private const string TracingOn = "--Gateway:Telemetry:Tracing=true";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_an_exporter_or_the_setting_no_tracer_is_registered_and_requests_still_work()
    {
        await using var off = await GatewayHost.StartAsync(env.GatewaySettings());
        await using var on = await GatewayHost.StartAsync(env.GatewaySettings(), TracingOn);

        Assert.Null(off.Services.GetService<TracerProvider>());
        Assert.NotNull(on.Services.GetService<TracerProvider>());
        using var client = off.CreateClient(env.ApiKey);
        using var response = await client.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_prompt_request_gets_a_chat_span_with_genai_attributes_and_the_prompt_version()
    {
        var spans = new ThreadSafeCollection<Activity>();
        await using var gateway = await GatewayHost.StartAsync(
            env.GatewaySettings(),
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            TracingOn);
        var name = "spans-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(gateway);
        var requestId = "req-span-" + Guid.NewGuid().ToString("N");

        using var client = gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$$"""{"model":"prompt:{{{name}}}","messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Request-Id", requestId);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The listener is process-wide (other test gateways share the source): find ours by request id.
        Activity? span = null;
        Assert.True(await Eventually.TrueAsync(
            () =>
            {
                span = spans.Snapshot().FirstOrDefault(s => s.Source.Name == "LlmGateway" && (string?)s.GetTagItem("gateway.request.id") == requestId);
                return Task.FromResult(span is not null);
            },
            TimeSpan.FromSeconds(5)));

        Assert.Equal("chat gpt-4o-mini", span!.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-4o-mini", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-4o-mini", span.GetTagItem("gen_ai.response.model"));
        Assert.True((long)span.GetTagItem("gen_ai.usage.input_tokens")! > 0);
        Assert.True((long)span.GetTagItem("gen_ai.usage.output_tokens")! > 0);
        Assert.Equal(["stop"], (string[])span.GetTagItem("gen_ai.response.finish_reasons")!);
        Assert.Equal(name, span.GetTagItem("gateway.prompt.name"));
        Assert.Equal(1, span.GetTagItem("gateway.prompt.version"));
        Assert.Equal("stable", span.GetTagItem("gateway.prompt.variant"));
        Assert.True((double)span.GetTagItem("gateway.cost.usd")! > 0);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);

        // YARP's forwarding span nests under the gateway's, so a trace reads request → LLM call → HTTP.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(spans.Snapshot().Any(s => s.ParentSpanId == span.SpanId)), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_failed_call_marks_its_span_with_the_error_type()
    {
        var spans = new ThreadSafeCollection<Activity>();
        await using var gateway = await GatewayHost.StartAsync(
            env.GatewaySettings(),
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            TracingOn);
        var requestId = "req-span-" + Guid.NewGuid().ToString("N");
        using var client = gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Request-Id", requestId);
        request.Headers.Add("x-mock-status", "500");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        Activity? span = null;
        Assert.True(await Eventually.TrueAsync(
            () =>
            {
                span = spans.Snapshot().FirstOrDefault(s => s.Source.Name == "LlmGateway" && (string?)s.GetTagItem("gateway.request.id") == requestId);
                return Task.FromResult(span is not null);
            },
            TimeSpan.FromSeconds(5)));

        Assert.Equal(ActivityStatusCode.Error, span!.Status);
        Assert.Equal("500", span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gateway.prompt.name"));
    }
}
