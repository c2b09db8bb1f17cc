using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Functional;

public sealed class HealthTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Liveness_needs_no_key()
    {
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_reports_the_store_and_the_providers()
    {
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/readyz", Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var report = JsonDocument.Parse(body);
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("providers").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Anonymous_readiness_names_no_store_process_id()
    {
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(useSharedStore: false));
        var pid = Assert.IsType<int>(gateway.GetRequiredService<LlmGateway.Store.GatewayStore>().EmbeddedProcessId);
        using var client = gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/readyz", Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var report = JsonDocument.Parse(body);
        var description = report.RootElement.GetProperty("checks").GetProperty("store").GetProperty("description").GetString();
        Assert.StartsWith("embedded Garnet answered PING in ", description, StringComparison.Ordinal);
        Assert.DoesNotContain(FormattableString.Invariant($"process {pid}"), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calling_readiness_in_a_loop_while_a_check_is_unhealthy_writes_no_log_line_per_call()
    {
        // A model on a provider without its key: the providers check is unhealthy for as long as the gateway runs.
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:keyless:Kind"] = "openai";
        settings["Gateway:Providers:keyless:BaseUrl"] = "https://keyless.example/v1";
        settings["Gateway:Models:keyless-model:Provider"] = "keyless";
        using var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(settings, builder => builder.Logging.AddProvider(logs));
        using var client = gateway.CreateClient(apiKey: null);

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/readyz", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.DoesNotContain(logs.Lines, line => line.Category == LlmGateway.Health.HealthEndpoints.FrameworkLogCategory);
    }

    [Fact]
    public async Task Each_readiness_checks_change_is_logged_once()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        var publisher = new LlmGateway.Health.ReadinessChangeLogger(factory.CreateLogger<LlmGateway.Health.ReadinessChangeLogger>());

        foreach (var status in new[] { HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Degraded, HealthStatus.Healthy, HealthStatus.Healthy })
        {
            await publisher.PublishAsync(Report(status), Ct);
        }

        Assert.Equal(
            ["Readiness check 'providers' is Unhealthy: keyless", "Readiness check 'providers' is Degraded: keyless", "Readiness check 'providers' is healthy again."],
            logs.Lines.Select(line => line.Text.Split(" Check=")[0]).ToArray());
    }

    private static HealthReport Report(HealthStatus status) => new(
        new Dictionary<string, HealthReportEntry> { ["providers"] = new(status, status == HealthStatus.Healthy ? "ok" : "keyless", TimeSpan.Zero, null, null) },
        TimeSpan.Zero);
}
