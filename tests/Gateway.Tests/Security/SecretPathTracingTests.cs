using System.Diagnostics;
using System.Net;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A request whose path holds an issued secret (a revoke by secret, refused) gets no server span: its <c>url.path</c>
/// would carry the secret to every trace backend. Read from an in-memory OpenTelemetry exporter.
/// </summary>
[Collection(LlmGateway.Tests.Telemetry.TracingListenersIsolation.Name)]
public sealed class SecretPathTracingTests(TestEnvironment env)
{
    [Fact]
    public async Task A_path_holding_a_secret_is_not_traced_while_the_next_admin_request_is()
    {
        var spans = new ThreadSafeCollection<Activity>();
        await using var gateway = await GatewayHost.StartAsync(
            env.GatewaySettings(),
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            "--Gateway:Telemetry:Tracing=true");
        using var admin = new AdminClient(gateway, TestEnvironment.AdminToken);
        var secret = "gwk_" + Guid.NewGuid().ToString("N") + "Qz8RtW2mK5vB";
        var control = "key_" + Guid.NewGuid().ToString("N");

        (await admin.DeleteAsync("/admin/v1/keys/" + secret)).Expect(HttpStatusCode.BadRequest);
        // A configuration admin token can be any string: pasted where an id belongs, it is a secret too.
        (await admin.DeleteAsync("/admin/v1/keys/" + TestEnvironment.AdminToken)).Expect(HttpStatusCode.BadRequest);
        (await admin.DeleteAsync("/admin/v1/keys/" + control)).Expect(HttpStatusCode.NotFound);

        // Spans are exported as they end, in order: once the control request's is in, the secret one's would be too.
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(GatewaySpans(spans).Any(s => Describe(s).Contains(control, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(GatewaySpans(spans), s => Describe(s).Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(GatewaySpans(spans), s => Describe(s).Contains(TestEnvironment.AdminToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_path_holding_a_configuration_token_with_a_slash_escaped_or_not_is_not_traced()
    {
        var spans = new ThreadSafeCollection<Activity>();
        var token = "abc/def+" + Guid.NewGuid().ToString("N") + "==";
        var settings = env.GatewaySettings();
        settings["Gateway:Admin:Tokens:slashed:Token"] = token;
        settings["Gateway:Admin:Tokens:slashed:Roles:0"] = "viewer";
        await using var gateway = await GatewayHost.StartAsync(
            settings,
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            "--Gateway:Telemetry:Tracing=true");
        using var admin = new AdminClient(gateway, TestEnvironment.AdminToken);
        var control = "key_" + Guid.NewGuid().ToString("N");

        // Escaped, as gatewayctl sends an id (one segment, its %2F kept by the server), and as typed (two segments,
        // which no route matches, but the span would still carry the path).
        (await admin.DeleteAsync("/admin/v1/keys/" + Uri.EscapeDataString(token))).Expect(HttpStatusCode.BadRequest);
        await admin.DeleteAsync("/admin/v1/keys/" + token);
        (await admin.DeleteAsync("/admin/v1/keys/" + control)).Expect(HttpStatusCode.NotFound);

        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(GatewaySpans(spans).Any(s => Describe(s).Contains(control, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(5)));
        // Whatever the span's escaping, the token's random part would show.
        Assert.DoesNotContain(GatewaySpans(spans), s => Describe(s).Contains(token[8..^2], StringComparison.Ordinal));
    }

    // The listener is process-wide: the test's own HttpClient calls are traced too (as client spans, with the URL the
    // test chose to send); the gateway's spans for an admin request are its server span and what runs inside it.
    private static IEnumerable<Activity> GatewaySpans(ThreadSafeCollection<Activity> spans) =>
        spans.Snapshot().Where(s => s.Kind != ActivityKind.Client);

    // Everything a span exports that could carry the path: its name and every tag.
    private static string Describe(Activity span) =>
        span.DisplayName + " " + string.Join(" ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
}
